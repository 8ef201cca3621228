import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { DEV_JWT_SECRET, EXAMPLE_MU_KEY } from './auth.config.js';

/** Secret values published in this repository (defaults and examples): never safe to expose. */
export const KNOWN_DEFAULT_SECRETS: ReadonlySet<string> = new Set([
  DEV_JWT_SECRET,
  EXAMPLE_MU_KEY,
  'CHANGE-ME',
]);

const GENERATED = ['JWT_SECRET', 'MU_KEY'] as const;
type Generated = (typeof GENERATED)[number];

const unset = (v: unknown) => v === undefined || v === '';

/** Where the embedded mode keeps its generated secrets: beside its SQLite file. */
export function embeddedSecretsPath(env: Record<string, unknown>): string {
  const sqlite =
    typeof env.SQLITE_PATH === 'string' && env.SQLITE_PATH !== ''
      ? env.SQLITE_PATH
      : './data/panel.sqlite';
  return join(dirname(sqlite), 'secrets.json');
}

/**
 * The embedded default (no DATABASE_URL) without JWT_SECRET or MU_KEY: instead of the public
 * defaults, random secrets generated on the first start and kept in the data folder
 * (`secrets.json`, mode 0600, beside the SQLite file and its demo admin), so tokens and the node
 * key survive restarts. Returns the environment with them filled in (and sets them in
 * process.env for the config factories); anything else is returned unchanged.
 */
export function withEmbeddedSecrets(
  env: Record<string, unknown>,
): Record<string, unknown> {
  if (!unset(env.DATABASE_URL) || env.SQLITE_PATH === ':memory:') return env;
  const missing = GENERATED.filter((k) => unset(env[k]));
  if (missing.length === 0) return env;
  const path = embeddedSecretsPath(env);
  const kept = readSecrets(path);
  let changed = false;
  for (const key of missing) {
    if (typeof kept[key] === 'string' && kept[key].length >= 16) continue;
    kept[key] = randomBytes(key === 'JWT_SECRET' ? 32 : 24).toString('hex');
    changed = true;
  }
  if (changed) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(kept, null, 2)}\n`, { mode: 0o600 });
    chmodSync(path, 0o600);
    // Plain text on stdout, like the demo admin's password: a person reads it once.
    process.stdout.write(
      `Generated ${missing.join(' and ')} for the embedded mode; kept in ${path}\n`,
    );
  }
  const filled = { ...env };
  for (const key of missing) {
    filled[key] = kept[key];
    process.env[key] = kept[key];
  }
  return filled;
}

function readSecrets(path: string): Partial<Record<Generated, string>> {
  if (!existsSync(path)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return parsed && typeof parsed === 'object'
      ? (parsed as Partial<Record<Generated, string>>)
      : {};
  } catch {
    throw new Error(
      `${path} is not valid JSON: fix or delete it (a new JWT_SECRET signs everyone out)`,
    );
  }
}

const LOOPBACK =
  /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/i;

/**
 * Why this start must not listen: a known default secret on a non-loopback address (anyone who
 * can reach the port could forge an admin token or pose as a node). Empty when fine.
 */
export function exposedDefaultSecrets(
  host: string,
  secrets: { jwtSecret: string; muKey: string },
): string[] {
  if (LOOPBACK.test(host)) return [];
  const where = host === '' ? 'every interface' : host;
  const problems: string[] = [];
  if (KNOWN_DEFAULT_SECRETS.has(secrets.jwtSecret))
    problems.push(
      `JWT_SECRET is the public default while listening on ${where}`,
    );
  if (KNOWN_DEFAULT_SECRETS.has(secrets.muKey))
    problems.push(`MU_KEY is the public example while listening on ${where}`);
  return problems;
}
