import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

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
  /** A private build directory (not ./dist, which other scripts rebuild). */
  dir: string;
  remove(): void;
}

/** Compiles the app with tsc into a temp directory that resolves the project's packages. */
export function compileApp(tag: string): CompiledApp {
  const dir = mkdtempSync(join(tmpdir(), `panel-${tag}-`));
  try {
    execFileSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/typescript/bin/tsc'),
        '-p',
        join(ROOT, 'tsconfig.build.json'),
        '--outDir',
        join(dir, 'dist'),
        '--incremental',
        'false',
        '--declaration',
        'false',
        '--sourceMap',
        'false',
      ],
      { stdio: 'pipe' },
    );
  } catch (err) {
    const out = (err as { stdout?: Buffer }).stdout?.toString() ?? '';
    throw new Error(`tsc failed:\n${out}`);
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
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
