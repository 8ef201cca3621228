import request from 'supertest';
import { MU_KEY } from '../factories/node.factory.js';
import {
  type GoType,
  goDecodeErrors,
  mapIntTo,
  ptr,
  slice,
  struct,
} from './go-json.js';
import type { TestApp } from './test-app.js';

export const UNIPROXY = '/api/v1/server/UniProxy';

/**
 * The query every agent puts on every request, POSTs included: XrayR api/newV2board/v2board.go
 * `client.SetQueryParams({node_id, node_type, token})`; wyx2685/V2bX api/panel/panel.go the same.
 */
export function agentQuery(
  nodeId: number,
  nodeType: string,
  token: string = MU_KEY,
): Record<string, string> {
  return { node_id: String(nodeId), node_type: nodeType, token };
}

/** A resty client as the agents build it: base URL + the three query parameters. */
export function agent(t: TestApp, nodeId: number, nodeType: string) {
  const query = agentQuery(nodeId, nodeType);
  return {
    get: (path: string): request.Test =>
      t.http().get(`${UNIPROXY}/${path}`).query(query),
    // resty sets Content-Type application/json for a map body (SetBody(data)).
    post: (path: string, body: unknown): request.Test =>
      t
        .http()
        .post(`${UNIPROXY}/${path}`)
        .query(query)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(body)),
  };
}

// --- wyx2685/V2bX api/panel/node.go (e443050), decoded with encoding/json: errors abort ---

const V2BX_ROUTE = struct({
  id: 'int',
  match: 'any',
  action: 'string',
  action_value: 'string',
});
const V2BX_COMMON: Record<string, GoType> = {
  host: 'string',
  server_port: 'int',
  server_name: 'string',
  routes: slice(V2BX_ROUTE),
  base_config: ptr(struct({ push_interval: 'any', pull_interval: 'any' })),
};
const V2BX_TLS_SETTINGS = struct({
  server_name: 'string',
  dest: 'string',
  server_port: 'string',
  short_id: 'string',
  private_key: 'string',
  mldsa65Seed: 'string',
  xver: 'uint64,string',
});

/** The struct V2bX decodes a config into, per node_type (its `switch c.NodeType`). */
export const V2BX_CONFIG: Record<string, GoType> = {
  vmess: struct({
    ...V2BX_COMMON,
    tls: 'int',
    tls_settings: V2BX_TLS_SETTINGS,
    tlsSettings: ptr(V2BX_TLS_SETTINGS),
    network: 'string',
    network_settings: 'raw',
    networkSettings: 'raw',
    encryption: 'string',
    encryption_settings: struct({
      mode: 'string',
      ticket: 'string',
      server_padding: 'string',
      private_key: 'string',
    }),
    flow: 'string',
  }),
  shadowsocks: struct({
    ...V2BX_COMMON,
    cipher: 'string',
    server_key: 'string',
  }),
  trojan: struct({ ...V2BX_COMMON, network: 'string', networkSettings: 'raw' }),
  tuic: struct({
    ...V2BX_COMMON,
    congestion_control: 'string',
    zero_rtt_handshake: 'bool',
  }),
  hysteria: struct({
    ...V2BX_COMMON,
    up_mbps: 'int',
    down_mbps: 'int',
    obfs: 'string',
  }),
  anytls: struct({ ...V2BX_COMMON, padding_scheme: slice('string') }),
  hysteria2: struct({
    ...V2BX_COMMON,
    ignore_client_bandwidth: 'bool',
    up_mbps: 'int',
    down_mbps: 'int',
    obfs: 'string',
    'obfs-password': 'string',
  }),
};
V2BX_CONFIG.vless = V2BX_CONFIG.vmess;

/** wyx2685/V2bX api/panel/user.go (2ffce8c): `UserListBody`, `AliveMap`. */
export const V2BX_USERS = struct({
  users: slice(
    struct({
      id: 'int',
      uuid: 'string',
      speed_limit: 'int',
      device_limit: 'int',
    }),
  ),
});
export const V2BX_ALIVE = struct({ alive: mapIntTo('int') });

/**
 * What V2bX does after decoding without error, and where it panics (api/panel/node.go):
 * `intervalToTime(cm.BaseConfig.PushInterval)` dereferences base_config and calls
 * `reflect.TypeOf(x).Kind()` (nil → panic; bool/object → `.Int()` panic); routes' `match`
 * is type-asserted string or `[]interface{}` of strings; a `dns` rule reads `matchs[0]`.
 */
export function v2bxConfigProblems(nodeType: string, body: unknown): string[] {
  const type = V2BX_CONFIG[nodeType];
  if (!type) return [`V2bX has no decoder for node_type ${nodeType}`];
  const problems = goDecodeErrors(body, type);
  const cfg = body as Record<string, unknown>;
  const base = cfg.base_config as Record<string, unknown> | null | undefined;
  if (!base) problems.push('base_config missing: nil-pointer panic');
  else
    for (const key of ['push_interval', 'pull_interval']) {
      const v = base[key];
      const seconds = typeof v === 'string' ? Number.parseInt(v, 10) : v;
      if (typeof seconds !== 'number' || !(seconds > 0))
        problems.push(
          `base_config.${key} must be a positive number, got ${JSON.stringify(v)}`,
        );
    }
  for (const [i, r] of (
    (cfg.routes as Record<string, unknown>[] | undefined) ?? []
  ).entries()) {
    const match = r.match;
    const list =
      typeof match === 'string'
        ? match.split(',')
        : Array.isArray(match) && match.every((m) => typeof m === 'string')
          ? (match as string[])
          : null;
    if (list === null)
      problems.push(`routes[${i}].match: type assertion panic`);
    else if (r.action === 'dns' && list.length === 0)
      problems.push(`routes[${i}]: index panic`);
  }
  return problems;
}

// --- XrayR-project/XrayR api/newV2board/model.go (v25.3.6): lenient decode, fields zeroed ---

const XRAYR_NETWORK_SETTINGS = struct({
  path: 'string',
  host: 'string',
  headers: ptr('raw'),
  serviceName: 'string',
  header: ptr('raw'),
});

/** `serverConfig` (shadowsocks + v2ray + trojan embedded, server_port, base_config, routes). */
export const XRAYR_CONFIG = struct({
  cipher: 'string',
  obfs: 'string',
  obfs_settings: struct({ path: 'string', host: 'string' }),
  server_key: 'string',
  network: 'string',
  networkSettings: XRAYR_NETWORK_SETTINGS,
  network_settings: XRAYR_NETWORK_SETTINGS,
  flow: 'string',
  tls_settings: struct({
    server_port: 'string',
    dest: 'string',
    xver: 'uint64',
    server_name: 'string',
    private_key: 'string',
    short_id: 'string',
  }),
  tls: 'int',
  host: 'string',
  server_name: 'string',
  server_port: 'int',
  base_config: struct({ push_interval: 'int', pull_interval: 'int' }),
  routes: slice(
    struct({
      id: 'int',
      match: slice('string'),
      action: 'string',
      action_value: 'string',
    }),
  ),
});
export const XRAYR_USERS = struct({
  users: slice(struct({ id: 'int', uuid: 'string', speed_limit: 'int' })),
});

/**
 * XrayR decodes leniently (a wrong type zeroes the field), so every decode error is a silently
 * wrong setting; and `GetNodeInfo` refuses `server_port` 0 ("server port must > 0").
 */
export function xrayrConfigProblems(body: unknown): string[] {
  const problems = goDecodeErrors(body, XRAYR_CONFIG);
  const port = (body as { server_port?: unknown }).server_port;
  if (typeof port !== 'number' || port <= 0)
    problems.push('server port must > 0');
  return problems;
}
