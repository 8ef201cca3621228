import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { treeHash } from './tree-hash.js';

// The real compiled app (dist/main.js) in its own process: what a shutdown signal or a start-up
// refusal can only be seen on.
const ROOT = new URL('../../', import.meta.url).pathname;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface CompiledApp {
  /** A private build directory (not ./dist, which other scripts rebuild); read only. */
  dir: string;
}

/**
 * The app compiled with tsc into a temp directory that resolves the project's packages. Built
 * once per source tree and shared (the three suites that spawn the compiled app, and both CI
 * passes, use one build): tests must not write into it.
 */
export function compileApp(): CompiledApp {
  const dir = join(
    tmpdir(),
    `panel-build-${treeHash(ROOT, ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'])}`,
  );
  if (existsSync(join(dir, 'package.json'))) return { dir };
  const building = mkdtempSync(`${dir}.building-`);
  try {
    execFileSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/typescript/bin/tsc'),
        '-p',
        join(ROOT, 'tsconfig.build.json'),
        '--outDir',
        join(building, 'dist'),
        '--incremental',
        'false',
        '--declaration',
        'false',
        '--sourceMap',
        'false',
      ],
      { stdio: 'pipe' },
    );
    symlinkSync(
      join(ROOT, 'node_modules'),
      join(building, 'node_modules'),
      'dir',
    );
    // Written last: its presence marks a complete build.
    writeFileSync(
      join(building, 'package.json'),
      JSON.stringify({ type: 'module' }),
    );
    try {
      renameSync(building, dir);
    } catch {
      // Another worker renamed its identical build into place first.
    }
  } catch (err) {
    const out = (err as { stdout?: Buffer }).stdout?.toString() ?? '';
    throw new Error(`tsc failed:\n${out}`);
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return { dir };
}

export interface Running {
  child: ChildProcess;
  base: string;
  port: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns `node dist/main.js` with exactly `env` (plus PATH and PORT) and waits until /health
 * answers on 127.0.0.1, or until the process exits (then `exited` has settled; check it).
 */
export async function spawnApp(
  build: CompiledApp,
  env: Record<string, string>,
): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: build.dir,
    env: { PATH: process.env.PATH, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
  }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const base = `http://127.0.0.1:${port}`;
  const running = { child, base, port, output: () => out, exited };
  // A fresh SQLite file is migrated at boot: allow a loaded CI machine a minute.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await exited;
      return running;
    }
    const ok = await fetch(`${base}/health`, {
      headers: { connection: 'close' },
    }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return running;
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`the app did not start:\n${out}`);
}
