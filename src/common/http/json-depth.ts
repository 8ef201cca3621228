import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * How deep a JSON body may nest (objects and arrays). Every body Panel accepts is a few levels
 * deep (a node's custom_config included); past this a body is refused while parsing.
 */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether the raw JSON text nests deeper than `max`, in one pass over the bytes (brackets inside
 * strings do not count; escapes are skipped). Run before JSON.parse: a reviver would only see
 * the result after the parser had recursed and the validators would still walk it (a 1 MB body
 * 500,000 levels deep overflowed the stack in validation and blocked the process for a second).
 * Malformed text is left to JSON.parse to report.
 */
export function jsonNestsDeeperThan(buf: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}

/** What body-parser makes of the error `verify` throws: a 400 of this type. */
export const JSON_TOO_DEEP = 'entity.too.deep';

/**
 * body-parser's `verify` hook for the JSON parsers (called with the raw bytes before parsing):
 * a body nested past MAX_JSON_DEPTH is a 400 and is never parsed.
 */
export function refuseDeepJson(
  _req: IncomingMessage,
  _res: ServerResponse,
  buf: Buffer,
): void {
  if (jsonNestsDeeperThan(buf, MAX_JSON_DEPTH)) {
    throw Object.assign(
      new Error(`JSON body nested deeper than ${MAX_JSON_DEPTH} levels`),
      { status: 400, type: JSON_TOO_DEEP, expose: true },
    );
  }
}
