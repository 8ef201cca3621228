import { NodeSort } from '../../src/modules/node/protocol/index.js';
import { readNodeProtocol } from '../../src/modules/node/protocol/index.js';
import type { ChildProcess } from 'node:child_process';
import { createNode, muQuery } from '../factories/node.factory.js';
import {
  signUp,
  signUpAdmin,
  type SignedInUser,
  updateUser,
} from '../factories/user.factory.js';
import {
  fetchViaSocks,
  freePort,
  PeerProcesses,
  startOrigin,
  v2rayServerConfig,
} from '../utils/proxy-peers.js';
import { API, createTestApp, type TestApp } from '../utils/test-app.js';

/**
 * The whole chain with real proxy software: a node's agent side is started from what Panel
 * serves it (`/mod_mu` node info read through the node protocol model, and the `/mod_mu` user
 * list), the client side from the user's subscription (the `ss://` line of the base64 list into
 * `ss-local`, the `v2ray-json` outbound into `v2ray`), and bytes from a local HTTP origin cross
 * both. Then a reset token, an expired plan and a disabled user each take the node away.
 */
describe('subscriptions with real proxy software (ss-server/ss-local, v2ray)', () => {
  let t: TestApp;
  let peers: PeerProcesses;
  let origin: Awaited<ReturnType<typeof startOrigin>>;
  let admin: SignedInUser;
  let user: SignedInUser;
  let ssNodeId: number;
  let vmessNodeId: number;
  const ssServers = new Map<number, ChildProcess>();
  let v2rayServer: ChildProcess | undefined;

  beforeAll(async () => {
    t = await createTestApp();
    peers = new PeerProcesses();
    origin = await startOrigin();
    admin = await signUpAdmin(t);
    user = await signUp(t);
    await updateUser(t.dataSource, user.id, {
      classLevel: 1,
      classExpire: new Date(Date.now() + 30 * 86_400_000),
      expireIn: new Date(Date.now() + 30 * 86_400_000),
      transferEnable: 10 * 1024 ** 3,
      port: await freePort(),
      method: 'aes-256-gcm',
      passwd: 'ss-user-secret',
    });
    ssNodeId = (
      await createNode(t.dataSource, {
        name: 'Local SS',
        sort: NodeSort.shadowsocks,
        server: '127.0.0.1',
        customConfig: null,
      })
    ).id;
    vmessNodeId = (
      await createNode(t.dataSource, {
        name: 'Local VMess',
        sort: NodeSort.vmess,
        server: '127.0.0.1',
        customConfig: JSON.stringify({
          offset_port_node: String(await freePort()),
          network: 'ws',
          path: '/vmws',
          host: 'cdn.example.com',
          security: 'none',
        }),
      })
    ).id;
  });

  afterAll(async () => {
    await peers?.stopAll();
    await origin?.close();
    await t?.close();
  });

  /** The agents' sync loop: pull the node info and users, (re)start what they serve. */
  async function syncAgents(): Promise<void> {
    const ssUsers = await nodeUsers(ssNodeId);
    for (const [port, child] of ssServers) {
      if (!ssUsers.some((u) => u.port === port)) {
        await peers.stop(child);
        ssServers.delete(port);
      }
    }
    for (const u of ssUsers) {
      if (ssServers.has(u.port)) continue;
      const args = ['-s', '127.0.0.1', '-p', String(u.port), '-k', u.passwd];
      ssServers.set(
        u.port,
        await peers.start('ss-server', [...args, '-m', u.method], u.port),
      );
    }
    const info = await t
      .http()
      .get(`/mod_mu/nodes/${vmessNodeId}/info`)
      .query(muQuery())
      .expect(200);
    const reading = readNodeProtocol({
      id: vmessNodeId,
      name: 'agent view',
      sort: info.body.data.sort,
      server: info.body.data.server,
      method: '',
      customConfig: info.body.data.custom_config,
      trafficRate: 1,
      nodeClass: 0,
      nodeGroup: 0,
      nodeSpeedlimit: 0,
    });
    if (!reading.ok) throw new Error(JSON.stringify(reading.problems));
    const uuids = (await nodeUsers(vmessNodeId)).map((u) => u.uuid);
    if (v2rayServer) await peers.stop(v2rayServer);
    const file = peers.writeConfig(
      'vmess-server.json',
      v2rayServerConfig(reading.node, uuids),
    );
    v2rayServer = await peers.start(
      'v2ray',
      ['-config', file],
      reading.node.listenPort,
    );
  }

  async function nodeUsers(
    nodeId: number,
  ): Promise<{ port: number; passwd: string; method: string; uuid: string }[]> {
    const res = await t
      .http()
      .get('/mod_mu/users')
      .query(muQuery(nodeId))
      .expect(200);
    return res.body.data as never;
  }

  async function subscription(): Promise<{ token: string }> {
    const res = await t
      .http()
      .get(`${API}/user/subscription`)
      .set(user.auth)
      .expect(200);
    return res.body.data as { token: string };
  }

  function base64Lines(body: string): string[] {
    return Buffer.from(body, 'base64')
      .toString('utf8')
      .split(/\r?\n/)
      .filter(Boolean);
  }

  /** ss-local from the subscription's `ss://` line for the node; its SOCKS port. */
  async function ssClient(token: string): Promise<number | null> {
    const res = await t.http().get(`/sub/${token}/v2ray`).expect(200);
    const line = base64Lines(res.text).find(
      (l) =>
        l.startsWith('ss://') &&
        decodeURIComponent(l.split('#')[1] ?? '') === 'Local SS',
    );
    if (!line) return null;
    const url = new URL(line);
    const userinfo = Buffer.from(
      decodeURIComponent(url.username),
      'base64url',
    ).toString('utf8');
    const colon = userinfo.indexOf(':');
    const socks = await freePort();
    await peers.start(
      'ss-local',
      [
        '-s',
        url.hostname,
        '-p',
        url.port,
        '-m',
        userinfo.slice(0, colon),
        '-k',
        userinfo.slice(colon + 1),
        '-b',
        '127.0.0.1',
        '-l',
        String(socks),
      ],
      socks,
    );
    return socks;
  }

  /** v2ray with the subscription's v2ray-json config, the VMess outbound first. */
  async function vmessClient(token: string): Promise<number | null> {
    const res = await t.http().get(`/sub/${token}/v2ray-json`).expect(200);
    const config = JSON.parse(res.text) as {
      inbounds: unknown[];
      outbounds: { tag?: string; protocol: string }[];
      routing?: unknown;
    };
    const chosen = config.outbounds.find((o) => o.tag === 'Local VMess');
    if (!chosen) return null;
    const socks = await freePort();
    config.inbounds = [
      {
        listen: '127.0.0.1',
        port: socks,
        protocol: 'socks',
        settings: { udp: false },
      },
    ];
    config.outbounds = [
      chosen,
      ...config.outbounds.filter((o) => o !== chosen),
    ];
    // The profile sends private addresses direct, and the test origin is on loopback: without
    // the rules every request goes through the chosen outbound, so a pass proves the node.
    delete config.routing;
    const file = peers.writeConfig(`vmess-client-${socks}.json`, config);
    await peers.start('v2ray', ['-config', file], socks);
    return socks;
  }

  async function patchUser(values: Record<string, unknown>): Promise<void> {
    await t
      .http()
      .patch(`${API}/admin/users/${user.id}`)
      .set(admin.auth)
      .send(values)
      .expect(200);
  }

  it('carries bytes through both nodes, then each of reset, expiry and disable takes them away', async () => {
    await syncAgents();
    const { token } = await subscription();
    expect(token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    const ssSocks = await ssClient(token);
    const vmessSocks = await vmessClient(token);
    expect(ssSocks).not.toBeNull();
    expect(vmessSocks).not.toBeNull();
    expect(await fetchViaSocks(ssSocks!, origin.url)).toBe(origin.payload);
    expect(await fetchViaSocks(vmessSocks!, origin.url)).toBe(origin.payload);

    // A reset token: the old URL is gone at once, the new one serves the same nodes.
    await t
      .http()
      .post(`${API}/user/subscription/reset`)
      .set(user.auth)
      .expect(200);
    await t.http().get(`/sub/${token}/v2ray`).expect(404);
    const fresh = (await subscription()).token;
    expect(fresh).not.toBe(token);
    expect(await ssClient(fresh)).not.toBeNull();

    // An expired plan: the subscription lists no real node and the agents drop the user.
    await patchUser({ expire_in: new Date(Date.now() - 60_000).toISOString() });
    expect(await ssClient(fresh)).toBeNull();
    expect(await vmessClient(fresh)).toBeNull();
    await syncAgents();
    expect(await fetchViaSocks(ssSocks!, origin.url)).toBeNull();
    expect(await fetchViaSocks(vmessSocks!, origin.url)).toBeNull();

    // Renewed: back again; then disabled by an admin: gone again.
    await patchUser({
      expire_in: new Date(Date.now() + 86_400_000).toISOString(),
    });
    await syncAgents();
    expect(await fetchViaSocks(ssSocks!, origin.url)).toBe(origin.payload);
    expect(await fetchViaSocks(vmessSocks!, origin.url)).toBe(origin.payload);
    await patchUser({ enable: 0 });
    expect(await ssClient(fresh)).toBeNull();
    expect(await vmessClient(fresh)).toBeNull();
    await syncAgents();
    expect(await fetchViaSocks(ssSocks!, origin.url)).toBeNull();
    expect(await fetchViaSocks(vmessSocks!, origin.url)).toBeNull();
  });
});
