import { existsSync } from 'node:fs';
import { validateEnvironment } from '../config/env.validation.js';

/** CLI scripts read `.env` like the app does, and refuse a bad environment the same way. */
export function loadCliEnvironment(): void {
  if (existsSync('.env')) process.loadEnvFile('.env');
  validateEnvironment(process.env);
}

/** Runs a CLI main, printing a one-line error (no stack unless DEBUG) and exiting non-zero. */
export function runCli(main: () => Promise<number | void>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      console.error(`error: ${message}`);
      if (process.env.DEBUG && err instanceof Error) console.error(err.stack);
      process.exit(1);
    },
  );
}
