/**
 * The ceiling for the node-API benchmark: a bare `node:http` + `mysql2` server doing the same
 * work as the Nest app for the benchmarked routes, and nothing else.
 *
 * Same work, route by route:
 * - auth: the MU_KEY from header `Key` or query `key` / `muKey` / `token`, compared over sha256 digests in
 *   constant time; 401 `{"ret":0,"msg":"Invalid request."}`;
 * - input: node_id a positive integer, no unknown query parameters; traffic bodies validated by
 *   the app's own `trafficEntriesProblem` (imported from the app build);
 * - GET /mod_mu/users: the node_heartbeat write coalesced to one per node per 5 s, then the list
 *   and its ETag from Redis (a small head read on every request, the body only when the
 *   in-process copy is stale), built on a miss with the app's SQL builders (imported from the app build)
 *   and the same JSON shape; 304 when If-None-Match matches;
 * - GET /api/v1/server/UniProxy/user: see node-ceiling-uniproxy.mjs;
 * - POST /mod_mu/users/traffic: node lookup, per-user aggregation with the rate, sha256 report
 *   key, one transaction: traffic_report claim (duplicate → conditional re-claim), the chunked
 *   CASE updates, the node update.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { Redis } from 'ioredis';
import {
  ceilingPool,
  CEILING_REDIS_PREFIX,
  nodeListCache,
} from './bench-kit.mjs';
import {
  addTrafficQuery,
  aliveIpCountsQuery,
  claimTrafficReportQuery,
  reclaimTrafficReportQuery,
  servableUsersQuery,
  SSPANEL_USER_COLUMNS,
} from './.build/modules/node-api/node-sql.js';
import {
  addNodeBandwidthQuery,
  nodeTrafficRateQuery,
} from './.build/modules/node/node-sql.js';
import { trafficEntriesProblem } from './.build/modules/node-api/dto/traffic-report.dto.js';
import { aggregateTraffic } from './.build/modules/node-api/traffic-aggregate.js';
import { uniproxyUserRoute } from './node-ceiling-uniproxy.mjs';

const PORT = Number(process.env.PORT);
const MU_KEY = process.env.MU_KEY;
const TTL_MS = 60_000;
const HEARTBEAT_WRITE_INTERVAL_S = 5;
const CHUNK = 1000;
const DEDUP_WINDOW_S = 30;
const BODY_LIMIT = 4 * 1024 * 1024;

const pool = ceilingPool();
const redis = new Redis(process.env.REDIS_URL, {
  keyPrefix: CEILING_REDIS_PREFIX,
});
const q = (name) => `\`${name}\``;

const digest = (s) => createHash('sha256').update(s).digest();
const expected = digest(MU_KEY);
const INVALID = Buffer.from('{"ret":0,"msg":"Invalid request."}');
const OK = Buffer.from('{"ret":1,"msg":"ok"}');

function send(res, status, body, headers = {}) {
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': body.length,
    ...headers,
  });
  res.end(body);
}

const bad = (res, msg) =>
  send(res, 400, Buffer.from(JSON.stringify({ ret: 0, msg })));

function authorized(req, url) {
  const key = [
    req.headers['key'],
    url.searchParams.get('key'),
    url.searchParams.get('muKey'),
    url.searchParams.get('token'),
  ].find((c) => typeof c === 'string' && c.length > 0);
  return key !== undefined && timingSafeEqual(digest(key), expected);
}

const ALLOWED_QUERY = new Set(['key', 'muKey', 'node_id']);
function nodeIdOf(url) {
  for (const k of url.searchParams.keys())
    if (!ALLOWED_QUERY.has(k)) return null;
  const n = Number(url.searchParams.get('node_id'));
  return Number.isInteger(n) && n >= 1 && n <= 2_147_483_647 ? n : null;
}

const lastHeartbeat = new Map();
async function heartbeat(nodeId) {
  const at = Math.floor(Date.now() / 1000);
  const last = lastHeartbeat.get(nodeId);
  if (last !== undefined && at - last < HEARTBEAT_WRITE_INTERVAL_S) return;
  lastHeartbeat.set(nodeId, at);
  await pool.query('UPDATE `ss_node` SET `node_heartbeat` = ? WHERE `id` = ?', [
    at,
    nodeId,
  ]);
}

const listCache = nodeListCache(redis, 'mu', TTL_MS);

async function build(nodeId) {
  const [[node]] = await pool.query(
    'SELECT `id`, `type`, `node_class`, `node_group`, `node_bandwidth`, `node_bandwidth_limit` FROM `ss_node` WHERE `id` = ? LIMIT 1',
    [nodeId],
  );
  if (!node) return null;
  let body = '{"ret":1,"data":[]}';
  const refused =
    node.type === 0 ||
    (node.node_bandwidth_limit > 0 &&
      node.node_bandwidth >= node.node_bandwidth_limit);
  if (!refused) {
    const now = new Date();
    const users = servableUsersQuery(
      q,
      SSPANEL_USER_COLUMNS,
      { nodeClass: node.node_class, nodeGroup: node.node_group },
      now,
    );
    const alive = aliveIpCountsQuery(q, Math.floor(now.getTime() / 1000) - 90);
    const [[rows], [counts]] = await Promise.all([
      pool.query(users.sql, users.params),
      pool.query(alive.sql, alive.params),
    ]);
    const aliveBy = new Map(counts.map((r) => [Number(r.userid), Number(r.n)]));
    const data = [];
    for (const row of rows) {
      const aliveIp = aliveBy.get(Number(row.id)) ?? 0;
      const limit = Number(row.node_connector);
      if (limit > 0 && aliveIp > limit) continue;
      data.push({
        id: Number(row.id),
        uuid: row.uuid,
        passwd: row.passwd,
        method: row.method,
        port: Number(row.port),
        node_speedlimit: Number(row.node_speedlimit),
        node_iplimit: limit,
        alive_ip: aliveIp,
      });
    }
    body = JSON.stringify({ ret: 1, data });
  }
  const etag = `W/"${createHash('sha1').update(body).digest('base64url')}"`;
  return listCache.store(nodeId, etag, body);
}

async function users(req, res, url) {
  if (!authorized(req, url)) return send(res, 401, INVALID);
  const nodeId = nodeIdOf(url);
  if (nodeId === null) return bad(res, 'node_id must be a positive integer');
  await heartbeat(nodeId);
  const inm = req.headers['if-none-match'];
  const matches = (etag) =>
    typeof inm === 'string' && inm !== '' && inm === etag;
  let entry;
  const etag = await listCache.headEtag(nodeId);
  if (etag) {
    if (matches(etag)) return send304(res, etag);
    entry = await listCache.body(nodeId, etag);
  }
  entry ??= await listCache.buildOnce(nodeId, build);
  if (!entry)
    return send(
      res,
      200,
      Buffer.from(JSON.stringify({ ret: 0, msg: `Node ${nodeId} not found` })),
    );
  if (matches(entry.etag)) return send304(res, entry.etag);
  send(res, 200, entry.body, { ETag: entry.etag });
}

function send304(res, etag) {
  res.writeHead(304, { ETag: etag });
  res.end();
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > BODY_LIMIT) reject(new Error('too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function traffic(req, res, url) {
  const text = await readBody(req);
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return bad(res, 'Malformed JSON body');
  }
  if (!authorized(req, url)) return send(res, 401, INVALID);
  const nodeId = nodeIdOf(url);
  if (nodeId === null) return bad(res, 'node_id must be a positive integer');
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return bad(res, 'body must be an object');
  for (const k of Object.keys(body))
    if (k !== 'data') return bad(res, `property ${k} should not exist`);
  if (body.data === undefined) return bad(res, 'data is required');
  const problem = trafficEntriesProblem(body.data);
  if (problem) return bad(res, problem);
  const entries = body.data;

  const rateQuery = nodeTrafficRateQuery(q, nodeId);
  const [[node]] = await pool.query(rateQuery.sql, rateQuery.params);
  if (!node)
    return send(
      res,
      200,
      Buffer.from(JSON.stringify({ ret: 0, msg: `Node ${nodeId} not found` })),
    );
  const rate = Number(node.traffic_rate);
  const scope = {
    nodeClass: Number(node.node_class),
    nodeGroup: Number(node.node_group),
  };
  const { deltas, rawBytes } = aggregateTraffic(entries, rate);
  const at = Math.floor(Date.now() / 1000);
  if (deltas.length === 0) {
    await heartbeat(nodeId);
    return send(res, 200, OK);
  }
  const reportKey = createHash('sha256')
    .update(`${nodeId}\n${JSON.stringify(entries)}`)
    .digest('hex');
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    let fresh = true;
    try {
      const claim = claimTrafficReportQuery(q, nodeId, reportKey, at);
      await conn.query(claim.sql, claim.params);
    } catch (err) {
      if (err.code !== 'ER_DUP_ENTRY') throw err;
      const reclaim = reclaimTrafficReportQuery(
        q,
        nodeId,
        reportKey,
        at,
        DEDUP_WINDOW_S,
      );
      const [r] = await conn.query(reclaim.sql, reclaim.params);
      fresh = r.affectedRows > 0;
    }
    if (fresh) {
      for (let i = 0; i < deltas.length; i += CHUNK) {
        const { sql, params } = addTrafficQuery(
          q,
          deltas.slice(i, i + CHUNK),
          at,
          scope,
        );
        await conn.query(sql, params);
      }
      const bandwidth = addNodeBandwidthQuery(q, nodeId, rawBytes, at);
      await conn.query(bandwidth.sql, bandwidth.params);
    }
    await conn.commit();
    lastHeartbeat.set(nodeId, at);
  } catch (err) {
    await conn.rollback().catch(() => undefined);
    throw err;
  } finally {
    conn.release();
  }
  send(res, 200, OK);
}

const uniproxyUser = uniproxyUserRoute({
  pool,
  redis,
  authorized,
  heartbeat,
});

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://ceiling');
  let work;
  if (req.method === 'GET' && url.pathname === '/mod_mu/users')
    work = users(req, res, url);
  else if (
    req.method === 'GET' &&
    url.pathname === '/api/v1/server/UniProxy/user'
  )
    work = uniproxyUser(req, res, url);
  else if (req.method === 'POST' && url.pathname === '/mod_mu/users/traffic')
    work = traffic(req, res, url);
  else if (url.pathname === '/health')
    work = Promise.resolve(send(res, 200, OK));
  else
    work = Promise.resolve(
      send(res, 404, Buffer.from('{"ret":0,"msg":"Not found"}')),
    );
  work.catch((err) => {
    console.error(err);
    if (!res.headersSent)
      send(res, 500, Buffer.from('{"ret":0,"msg":"Internal server error"}'));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(PORT, '127.0.0.1', () =>
  console.log(`ceiling listening on ${PORT}`),
);

// The runner stops this server once the measurements are over; in-flight requests may drop.
process.on('SIGTERM', () => process.exit(0));
