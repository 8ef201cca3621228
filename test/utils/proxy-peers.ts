import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createConnection, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeProtocol } from '../../src/modules/node/protocol/index.js';

/**
 * Real proxy software for end-to-end tests (Debian's `v2ray` 4.34 and `shadowsocks-libev`,
 * installed by .ci/run): processes started here are killed by `stopAll()`.
 */
export class PeerProcesses {
  private readonly running = new Set<ChildProcess>();
  private readonly dir = mkdtempSync(join(tmpdir(), 'panel-peers-'));
  private readonly output = new Map<ChildProcess, string>();

  /** Starts `command` and waits until `port` accepts TCP connections. */
  async start(
    command: string,
    args: string[],
    port: number,
  ): Promise<ChildProcess> {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.running.add(child);
    this.output.set(child, '');
    const keep = (chunk: Buffer) =>
      this.output.set(child, (this.output.get(child) ?? '') + chunk.toString());
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', () => this.running.delete(child));
    try {
      await waitForPort(port, 10_000);
    } catch (error) {
      throw new Error(
        `${command} ${args.join(' ')} did not listen on ${port}: ${String(error)}\n${this.output.get(child)}`,
      );
    }
    return child;
  }

  /** A config file in this run's scratch directory. */
  writeConfig(name: string, value: unknown): string {
    const file = join(this.dir, name);
    writeFileSync(file, JSON.stringify(value, null, 2));
    return file;
  }

  async stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((c) => this.stop(c)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export async function waitForPort(
  port: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} never opened`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A local HTTP origin answering every request with the same random payload. */
export async function startOrigin(): Promise<{
  url: string;
  payload: string;
  close: () => Promise<void>;
}> {
  const payload = randomBytes(24).toString('hex');
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(payload);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    payload,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** GET `url` through a SOCKS5 proxy with curl; the body, or null when the proxy fails. */
export function fetchViaSocks(
  socksPort: number,
  url: string,
): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      'curl',
      [
        '--silent',
        '--fail',
        '--max-time',
        '4',
        '--socks5-hostname',
        `127.0.0.1:${socksPort}`,
        url,
      ],
      (error, stdout) => resolve(error ? null : stdout),
    );
  });
}

/**
 * What a V2Ray-family agent would run for a node: one inbound on the node's listen port for the
 * given users, with the node's transport (the tests run without TLS).
 */
export function v2rayServerConfig(
  node: NodeProtocol,
  uuids: string[],
): Record<string, unknown> {
  if (node.protocol !== 'vmess' && node.protocol !== 'vless') {
    throw new Error(`no v2ray server for ${node.protocol}`);
  }
  const transport = node.transport;
  return {
    log: { loglevel: 'warning' },
    inbounds: [
      {
        listen: '127.0.0.1',
        port: node.listenPort,
        protocol: node.protocol,
        settings:
          node.protocol === 'vmess'
            ? { clients: uuids.map((id) => ({ id, alterId: 0 })) }
            : { clients: uuids.map((id) => ({ id })), decryption: 'none' },
        streamSettings: {
          network: transport.network === 'h2' ? 'http' : transport.network,
          ...(transport.network === 'ws' && {
            wsSettings: {
              path: transport.path,
              ...(transport.host && { headers: { Host: transport.host } }),
            },
          }),
        },
      },
    ],
    outbounds: [{ protocol: 'freedom' }],
  };
}
