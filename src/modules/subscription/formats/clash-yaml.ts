import { stringify } from 'yaml';

/** How the Clash profile is written: block style, plain keys, every string double-quoted. */
export const CLASH_YAML_OPTIONS = {
  lineWidth: 0,
  defaultKeyType: 'PLAIN',
  defaultStringType: 'QUOTE_DOUBLE',
} as const;

/** A key `yaml` writes plain as is: no quoting, and not read back as a boolean, null or number. */
const PLAIN_KEY = /^[A-Za-z][A-Za-z0-9_-]*$/;
const RESERVED_KEY = /^(?:true|false|null|yes|no|on|off|y|n)$/i;

/** Thrown inside the emitter for a value it leaves to `yaml`. */
class Unsupported extends Error {}

/**
 * `stringify(document, CLASH_YAML_OPTIONS)` from `yaml`, byte for byte, several times faster
 * for the documents Clash profiles are: maps with plain keys, lists, double-quoted strings
 * without escapes, finite numbers and booleans. The library builds a node tree, resolves a
 * style per scalar and folds lines; a cold Clash fetch spent most of its time there. Anything
 * else (a string needing an escape, an odd key, null, an empty or nested list, …) anywhere in
 * the document, and the whole document goes to `yaml` itself, so the output never differs.
 */
export function clashYaml(document: Record<string, unknown>): string {
  return fastClashYaml(document) ?? stringify(document, CLASH_YAML_OPTIONS);
}

/** The emitter alone: the document's YAML, or null when it holds a value left to `yaml`. */
export function fastClashYaml(
  document: Record<string, unknown>,
): string | null {
  try {
    return mapLines(document, '');
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
}

function scalar(value: unknown): string {
  switch (typeof value) {
    case 'string': {
      // Without a backslash in its JSON form, `yaml` writes a double-quoted string as exactly
      // that JSON (its escapes and folds all start at a JSON escape; lineWidth 0 never folds).
      const json = JSON.stringify(value);
      if (json.includes('\\')) throw new Unsupported();
      return json;
    }
    case 'number':
      if (!Number.isFinite(value) || Object.is(value, -0))
        throw new Unsupported();
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      throw new Unsupported();
  }
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.getPrototypeOf(value) === Object.prototype;

function isEmpty(map: Record<string, unknown>): boolean {
  for (const key in map) if (Object.hasOwn(map, key)) return false;
  return true;
}

/** A block map at `indent`: `key: scalar`, or `key:` and the collection below it. */
function mapLines(map: Record<string, unknown>, indent: string): string {
  let out = '';
  let empty = true;
  for (const key in map) {
    if (!Object.hasOwn(map, key)) continue;
    const value = map[key];
    if (value === undefined) throw new Unsupported();
    if (!PLAIN_KEY.test(key) || RESERVED_KEY.test(key)) throw new Unsupported();
    empty = false;
    out += `${indent}${key}:${valueAfterKey(value, indent)}`;
  }
  if (empty) throw new Unsupported();
  return out;
}

function valueAfterKey(value: unknown, indent: string): string {
  if (Array.isArray(value))
    return value.length === 0
      ? ' []\n'
      : `\n${listLines(value, `${indent}  `)}`;
  if (isMap(value))
    return isEmpty(value) ? ' {}\n' : `\n${mapLines(value, `${indent}  `)}`;
  return ` ${scalar(value)}\n`;
}

/** A block list at `indent`: `- scalar`, or `- ` and a map whose first key shares the line. */
function listLines(list: readonly unknown[], indent: string): string {
  if (list.length === 0) throw new Unsupported();
  let out = '';
  for (const item of list) {
    if (Array.isArray(item)) throw new Unsupported();
    if (isMap(item))
      out += `${indent}- ${mapLines(item, `${indent}  `).slice(indent.length + 2)}`;
    else out += `${indent}- ${scalar(item)}\n`;
  }
  return out;
}
