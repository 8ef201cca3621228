/**
 * The ceiling's UniProxy `user` route (`GET /api/v1/server/UniProxy/user`), the same work as the
 * app's per request and nothing else:
 * - the node key from `token` (the same sha256 + timingSafeEqual check as the SSPanel routes);
 * - `node_id` / `node_type` parsed and normalised as the app does (`normaliseNodeType`);
 * - the node row read with the app's `nodeConfigQuery` (what `NodeRepository.findConfig` runs),
 *   read with the app's `readNodeProtocol` and checked against the type (`typeServes`);
 * - the coalesced heartbeat and dialect note (one write per node per 5 s);
 * - the list from Redis with V2Board's ETag (strong `"sha1 hex"`, substring match): a small head
 *   read per request, the body only when the in-process copy is stale; on a miss built with the
 *   app's SQL builders, `unservableColumn`, the device limit and `uniproxySpeedLimit`.
 */
import { createHash } from 'node:crypto';
import {
  aliveIpCountsQuery,
  servableUsersQuery,
  UNIPROXY_USER_COLUMNS,
} from './.build/modules/node-api/node-sql.js';
import {
  uniproxySpeedLimit,
  unservableColumn,
} from './.build/modules/node-api/node-user-list.service.js';
import {
  normaliseNodeType,
  typeServes,
} from './.build/modules/node-api/uniproxy/uniproxy-node-type.js';
import { nodeListCache } from './bench-kit.mjs';
import { nodeConfigQuery } from './.build/modules/node/node-sql.js';
import { readNodeProtocol } from './.build/modules/node/protocol/index.js';

const TTL_MS = 60_000;
const ALIVE_IP_WINDOW_S = 90;
const NOTE_INTERVAL_S = 5;
const INT_MAX = 2_147_483_647;
const NODE_ID = /^[1-9][0-9]{0,9}$/;
const JSON_TYPE = 'application/json; charset=utf-8';
const q = (name) => `\`${name}\``;

const etagOf = (body) => `"${createHash('sha1').update(body).digest('hex')}"`;
const matches = (inm, etag) =>
  typeof inm === 'string' && inm !== '' && inm.includes(etag.slice(1, -1));

/**
 * `ctx`: the ceiling's pool, Redis client, key check and coalesced heartbeat. Returns the route
 * handler.
 */
export function uniproxyUserRoute({ pool, redis, authorized, heartbeat }) {
  const listCache = nodeListCache(redis, 'uniproxy', TTL_MS);
  const noted = new Map();

  const send = (res, status, body, headers = {}) => {
    res.writeHead(status, {
      'Content-Type': JSON_TYPE,
      'Content-Length': body.length,
      ...headers,
    });
    res.end(body);
  };
  const refuse = (res, status, message) =>
    send(res, status, Buffer.from(JSON.stringify({ message })));

  async function findNode(nodeId) {
    const { sql, params } = nodeConfigQuery(q, nodeId);
    const [[row]] = await pool.query(sql, params);
    return row ?? null;
  }

  async function build(nodeId) {
    const node = await findNode(nodeId);
    if (!node) return null;
    let body = '{"users":[]}';
    const refused =
      node.type === 0 ||
      (node.nodeBandwidthLimit > 0 &&
        node.nodeBandwidth >= node.nodeBandwidthLimit);
    if (!refused) {
      const now = new Date();
      const users = servableUsersQuery(
        q,
        UNIPROXY_USER_COLUMNS,
        { nodeClass: node.nodeClass, nodeGroup: node.nodeGroup },
        now,
      );
      const alive = aliveIpCountsQuery(
        q,
        Math.floor(now.getTime() / 1000) - ALIVE_IP_WINDOW_S,
      );
      const [[rows], [counts]] = await Promise.all([
        pool.query(users.sql, users.params),
        pool.query(alive.sql, alive.params),
      ]);
      const aliveBy = new Map(
        counts.map((r) => [Number(r.userid), Number(r.n)]),
      );
      const nodeLimit = Number(node.nodeSpeedlimit);
      const list = [];
      for (const row of rows) {
        if (unservableColumn(row)) continue;
        const limit = Number(row.node_connector);
        if (limit > 0 && (aliveBy.get(Number(row.id)) ?? 0) > limit) continue;
        list.push({
          id: Number(row.id),
          uuid: row.uuid,
          speed_limit: uniproxySpeedLimit(
            Number(row.node_speedlimit),
            nodeLimit,
          ),
          device_limit: limit,
        });
      }
      body = JSON.stringify({ users: list });
    }
    return listCache.store(nodeId, etagOf(body), body);
  }

  async function cached(nodeId, inm) {
    const etag = await listCache.headEtag(nodeId);
    if (etag) {
      if (matches(inm, etag)) return { etag, body: null };
      const entry = await listCache.body(nodeId, etag);
      if (entry) return entry;
    }
    const entry = await listCache.buildOnce(nodeId, build);
    if (entry && matches(inm, entry.etag))
      return { etag: entry.etag, body: null };
    return entry;
  }

  async function noteDialect(nodeId) {
    const at = Math.floor(Date.now() / 1000);
    const last = noted.get(nodeId);
    if (last !== undefined && at - last < NOTE_INTERVAL_S) return;
    noted.set(nodeId, at);
    await redis.set(
      `node:${nodeId}:dialect`,
      JSON.stringify({ dialect: 'uniproxy', at }),
      'EX',
      86_400,
    );
  }

  return async function user(req, res, url) {
    if (!authorized(req, url)) return refuse(res, 401, 'Invalid request.');
    const id = url.searchParams.get('node_id');
    if (id === null || !NODE_ID.test(id) || Number(id) > INT_MAX)
      return refuse(res, 400, 'node_id must be a positive integer');
    const nodeType = normaliseNodeType(url.searchParams.get('node_type') ?? '');
    if (!nodeType) return refuse(res, 400, 'node_type is not supported');
    const nodeId = Number(id);
    const node = await findNode(nodeId);
    if (!node) return refuse(res, 404, `Server ${nodeId} does not exist`);
    const reading = readNodeProtocol(node);
    if (reading.ok && !typeServes(nodeType, reading.node.protocol))
      return refuse(res, 400, `Server ${nodeId} is not ${nodeType}`);
    await heartbeat(nodeId);
    const entry = await cached(nodeId, req.headers['if-none-match']);
    if (!entry) return refuse(res, 404, `Server ${nodeId} does not exist`);
    await noteDialect(nodeId);
    if (entry.body === null) {
      res.writeHead(304, { ETag: entry.etag });
      return res.end();
    }
    send(res, 200, entry.body, { ETag: entry.etag, Vary: 'Accept-Encoding' });
  };
}
