import {
  clientCredentials,
  type NodeProtocol,
  type ProtocolName,
  type ProxyUser,
  type ShadowsocksNode,
} from '../node/protocol/index.js';
import { type NodeAccessUser, userMayUseNode } from '../node/catalog/index.js';
import type { ProfileEntry } from './formats/profile.js';

/** The `user` columns a subscription is built from (never the password hash). */
export interface Subscriber extends ProxyUser, NodeAccessUser {
  email: string;
  enable: number;
  switch: number;
  u: number;
  d: number;
  transferEnable: number;
  classExpire: Date;
  expireIn: Date;
}

/** Why a subscription shows one placeholder instead of nodes; `active` = the real list. */
export type AccountState =
  'active' | 'disabled' | 'expired' | 'level-expired' | 'over-quota';

/**
 * The account half of the servable rule node agents apply (node-api `servableUsersQuery`), in
 * the order a user should hear about it: a disabled account first (nothing else helps), then
 * the account's expiry, the level's expiry, the quota.
 */
export function accountState(user: Subscriber, now: Date): AccountState {
  if (user.enable !== 1 || user.switch !== 1) return 'disabled';
  if (user.expireIn.getTime() <= now.getTime()) return 'expired';
  if (user.classLevel > 0 && user.classExpire.getTime() <= now.getTime())
    return 'level-expired';
  if (user.u + user.d >= user.transferEnable) return 'over-quota';
  return 'active';
}

/** The placeholder's name: the reason and where to fix it. */
export function placeholderName(
  state: Exclude<AccountState, 'active'> | 'no-nodes',
  site: string,
): string {
  switch (state) {
    case 'disabled':
      return `Account disabled — see ${site}`;
    case 'expired':
      return `Expired — renew at ${site}`;
    case 'level-expired':
      return `Plan expired — renew at ${site}`;
    case 'over-quota':
      return `Traffic used up — top up at ${site}`;
    case 'no-nodes':
      return `No nodes available — see ${site}`;
  }
}

/**
 * One Shadowsocks entry at 127.0.0.1:1 that every format can carry: the client shows the
 * reason as a node name instead of an error, an empty list or last month's nodes.
 */
export function placeholderEntry(name: string): ProfileEntry {
  const node: ShadowsocksNode = {
    protocol: 'shadowsocks',
    id: 0,
    name,
    sort: 0,
    address: '127.0.0.1',
    port: 1,
    listenPort: 1,
    trafficRate: 1,
    nodeClass: 0,
    nodeGroup: 0,
    speedLimitMbps: 0,
    portPerUser: false,
  };
  return {
    node,
    name,
    credentials: {
      port: 1,
      uuid: '00000000-0000-4000-8000-000000000000',
      password: 'unavailable',
      method: 'aes-256-gcm',
    },
  };
}

/**
 * The display name: the node's name, and ` [x<rate>]` when its traffic rate is not 1
 * (`HK 01 [x1.5]`, `JP 02 [x0.5]`), so users see what a node costs before they pick it.
 */
export function displayName(
  node: Pick<NodeProtocol, 'name' | 'trafficRate'>,
): string {
  if (node.trafficRate === 1) return node.name;
  return `${node.name} [x${Number(node.trafficRate.toFixed(4))}]`;
}

/** The nodes this user may use now, in catalog (`sort`, id) order, with their credentials. */
export function buildEntries(
  nodes: readonly NodeProtocol[],
  user: Subscriber,
  protocols: ReadonlySet<ProtocolName> | null,
): ProfileEntry[] {
  const entries: ProfileEntry[] = [];
  for (const node of nodes) {
    if (!userMayUseNode(user, node)) continue;
    if (protocols && !protocols.has(node.protocol)) continue;
    entries.push({
      node,
      name: displayName(node),
      credentials: clientCredentials(node, user),
    });
  }
  return entries;
}

/** Dates at or past this read as "no expiry" (SSPanel's default `expire_in` is 2099-12-31). */
const FAR_FUTURE_MS = Date.UTC(2099, 0, 1);

/**
 * `expire=` of subscription-userinfo: unix seconds of the earlier of the level's expiry (when
 * the user has a level) and the account's; 0 when neither expires (clients read 0 as never).
 */
export function expiryUnix(user: Subscriber): number {
  const candidates = [user.expireIn.getTime()];
  if (user.classLevel > 0) candidates.push(user.classExpire.getTime());
  const earliest = Math.min(...candidates);
  if (!Number.isFinite(earliest) || earliest >= FAR_FUTURE_MS || earliest <= 0)
    return 0;
  return Math.floor(earliest / 1000);
}

/** `upload=U; download=D; total=T; expire=E`, four integers, always (OpenClash#2465). */
export function subscriptionUserinfo(user: Subscriber): string {
  const int = (n: number): number => Math.max(0, Math.trunc(n));
  return (
    `upload=${int(user.u)}; download=${int(user.d)}; ` +
    `total=${int(user.transferEnable)}; expire=${expiryUnix(user)}`
  );
}

/** contentDisposition per file name: a site name and a handful of extensions, formatted once. */
const dispositions = new Map<string, string>();

/** RFC 5987 `filename*` value: every byte outside the unreserved set percent-encoded. */
export function contentDisposition(
  siteName: string,
  extension: string,
): string {
  const file = `${siteName}.${extension}`;
  let value = dispositions.get(file);
  if (value === undefined) {
    const encoded = encodeURIComponent(file).replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
    value = `attachment; filename*=UTF-8''${encoded}`;
    dispositions.set(file, value);
  }
  return value;
}

export function profileTitle(siteName: string): string {
  return `base64:${Buffer.from(siteName, 'utf8').toString('base64')}`;
}
