import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SsNode, User } from '../../src/database/entities/index.js';

/** The key test/setup-env.ts gives the app. */
export const MU_KEY = process.env.MU_KEY ?? '';

/** XrayR (SSPanel mode) puts the key in both `key` and `muKey` on every request. */
export function muQuery(nodeId?: number): Record<string, string | number> {
  return {
    key: MU_KEY,
    muKey: MU_KEY,
    ...(nodeId !== undefined && { node_id: nodeId }),
  };
}

/** Inserts a node (enabled, rate 1, no class/group) with the legacy NOT NULL columns set. */
export async function createNode(
  ds: DataSource,
  values: Partial<SsNode> = {},
): Promise<SsNode> {
  const repo = ds.getRepository(SsNode);
  const result = await repo.insert({
    name: 'Test node',
    server: 'node.example.com',
    info: '',
    status: '',
    type: 1,
    sort: 11,
    trafficRate: 1,
    customConfig: JSON.stringify({
      offset_port_node: '443',
      network: 'tcp',
      security: 'tls',
      host: 'node.example.com',
    }),
    ...values,
  });
  return repo.findOneByOrFail({ id: Number(result.identifiers[0].id) });
}

let userCounter = 0;
const DAY_MS = 86_400_000;

/**
 * Inserts a user every node serves by default: enabled, switched on, 100 GB quota unused,
 * expiring in 30 days, class 0. Override columns to make them unservable.
 */
export async function createNodeUser(
  ds: DataSource,
  values: Partial<User> = {},
): Promise<User> {
  const n = ++userCounter;
  const now = Date.now();
  const repo = ds.getRepository(User);
  const result = await repo.insert({
    userName: `node-user-${n}`,
    email: `node${process.pid}x${n}@example.com`,
    pass: 'x',
    passwd: `pw${n}`,
    uuid: randomUUID(),
    port: 20_000 + n,
    theme: 'default',
    gaToken: '',
    inviteNum: 0,
    regDate: new Date(now),
    expireIn: new Date(now + 30 * DAY_MS),
    classExpire: new Date(now + 30 * DAY_MS),
    transferEnable: 100 * 1024 ** 3,
    u: 0,
    d: 0,
    money: '0.00',
    ...values,
  });
  return repo.findOneByOrFail({ id: Number(result.identifiers[0].id) });
}

export const daysFromNow = (days: number): Date =>
  new Date(Date.now() + days * DAY_MS);
