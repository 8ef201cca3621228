import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { AppEnv } from './app.config.js';
import { AuthEnv } from './auth.config.js';
import { exposedDefaultSecrets } from './embedded-secrets.js';
import { readEnv } from './env.util.js';
import { validateEnvironment } from './env.validation.js';

/**
 * The environment the app is about to start with, as ConfigModule will see it: `./.env` under
 * the process environment (which wins), validated, the embedded mode's generated secrets filled
 * in. Throws the one validation error listing every problem.
 */
export function startEnvironment(
  cwd: string = process.cwd(),
): Record<string, unknown> {
  const file = resolve(cwd, '.env');
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  return validateEnvironment({ ...fromFile, ...process.env });
}

/**
 * Why this start must not listen at all (a known default secret on a non-loopback listener),
 * as the message to print; null when fine. Checked before the app is created, so a refused
 * start costs no boot (no database connection, no migration).
 */
export function listenRefusal(env: Record<string, unknown>): string | null {
  const { HOST } = readEnv(AppEnv, env);
  const auth = readEnv(AuthEnv, env);
  const problems = exposedDefaultSecrets(HOST ?? '', {
    jwtSecret: auth.JWT_SECRET,
    muKey: auth.MU_KEY,
  });
  if (problems.length === 0) return null;
  return (
    `Refusing to start: ${problems.join('; ')}.\n` +
    'Set JWT_SECRET and MU_KEY to secrets of your own (e.g. openssl rand -hex 32), ' +
    'or listen on loopback only (HOST=127.0.0.1).\n'
  );
}
