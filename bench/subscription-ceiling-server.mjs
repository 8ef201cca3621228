/**
 * The ceiling for the subscription benchmark: a bare `node:http` + `mysql2` (+ `ioredis`)
 * server doing the app's work for `GET /sub/:token/:format`, and nothing else.
 *
 * Same work, step by step, as SubscriptionFetchService and the route around it:
 * - the helmet headers (helmet itself) and an `X-Request-Id`;
 * - the per-token `subscription` rate limit: the app's own RedisThrottlerStorage (its Lua
 *   script, one round trip) under the app's key (one budget per token across the feed routes),
 *   with ThrottlerGuard's three headers;
 * - token → user: the cached owner from Redis, then the user's row joined to the `link` row
 *   (so a reset token never resolves); on a cache miss, the `link` lookup first; the app's
 *   SQL builders (`subscription-sql.js`);
 * - the fetch counters (the app's SubscriptionFetchCounter on its RedisExpiringStore: one script) and the
 *   `rss_count` / `rss_ips_count` update;
 * - the node catalog: every enabled node read with the app's `readNodeProtocol`, kept in
 *   process for 30 s, its shared generation read from Redis on every request, in one MGET
 *   with the body's two generations (as the app reads them);
 * - the body: cached in Redis per (user, format) under the same key layout (the two
 *   generations, the catalog version, a digest of the user's columns), built on a miss
 *   with the app's own `accountState`, `buildEntries`, placeholders and RENDERERS (imported
 *   from bench/.build, so the bytes are the app's), stored with the same TTL;
 * - the same headers (subscription-userinfo, content-disposition, profile-title, …), those that
 *   depend on the configuration only formatted once, as the app does.
 *
 * With BENCH_CEILING_NO_CACHE=1 the body is built on every request (no Redis body reads).
 */
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import helmet from 'helmet';
import { Redis } from 'ioredis';
import { ceilingPool, CEILING_REDIS_PREFIX } from './bench-kit.mjs';
import { readNodeProtocol } from './.build/modules/node/protocol/index.js';
import {
  accountState,
  buildEntries,
  contentDisposition,
  placeholderEntry,
  placeholderName,
  profileTitle,
  subscriptionUserinfo,
} from './.build/modules/subscription/subscription-content.js';
import { RENDERERS } from './.build/modules/subscription/formats/index.js';
import {
  fetchStatsQuery,
  subscriberQuery,
  tokenOwnerQuery,
} from './.build/modules/subscription/subscription-sql.js';
import { SubscriptionFetchCounter } from './.build/modules/subscription/subscription-fetch-counter.js';
import { RedisExpiringStore } from './.build/modules/redis/redis-expiring-store.js';
import { digestOf } from './.build/modules/subscription/subscription-fetch.service.js';
import {
  decodeProfile,
  encodeProfile,
} from './.build/modules/subscription/subscription-cache.service.js';
import { RedisThrottlerStorage } from './.build/modules/throttle/redis-throttler.storage.js';

const PORT = Number(process.env.PORT);
const SITE_NAME = process.env.SITE_NAME ?? 'Panel';
const SITE = (process.env.PUBLIC_URL ?? '').replace(/^https?:\/\//, '');
const UPDATE_INTERVAL_H = String(process.env.SUB_UPDATE_INTERVAL_H ?? 24);
const BODY_TTL_MS = Number(process.env.SUB_CACHE_TTL_S ?? 600) * 1000;
const SUB_LIMIT = Number(process.env.THROTTLE_SUB_LIMIT ?? 30);
const WINDOW_MS = Number(process.env.THROTTLE_WINDOW_S ?? 60) * 1000;
const CATALOG_TTL_MS = 30_000;
const NO_CACHE = process.env.BENCH_CEILING_NO_CACHE === '1';

const pool = ceilingPool();
const redis = new Redis(process.env.REDIS_URL, {
  keyPrefix: CEILING_REDIS_PREFIX,
});
const throttle = new RedisThrottlerStorage({ client: redis });
const counter = new SubscriptionFetchCounter(new RedisExpiringStore(redis));
const browserHeaders = helmet();

const NOT_FOUND = Buffer.from('{"ret":0,"msg":"Not found"}');
function send(res, status, body, headers = {}) {
  res.writeHead(status, {
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

/** The `subscription` budget's key: one per token across the feed routes, the tracker digested. */
const throttleKey = (token) =>
  `subscription:${createHash('sha256').update(`token:${token}`).digest('base64url').slice(0, 32)}`;

async function rateLimited(res, token) {
  const r = await throttle.increment(
    throttleKey(token),
    WINDOW_MS,
    SUB_LIMIT,
    WINDOW_MS,
    'subscription',
  );
  if (r.isBlocked) {
    res.setHeader('Retry-After-subscription', r.timeToBlockExpire);
    send(res, 429, '{"ret":0,"msg":"Too many requests"}');
    return true;
  }
  res.setHeader('X-RateLimit-Limit-subscription', SUB_LIMIT);
  res.setHeader(
    'X-RateLimit-Remaining-subscription',
    Math.max(0, SUB_LIMIT - r.totalHits),
  );
  res.setHeader('X-RateLimit-Reset-subscription', r.timeToExpire);
  return false;
}

const q = (name) => `\`${name}\``;

async function subscriber(userId, token) {
  const { sql, params } = subscriberQuery(q, userId, token);
  const [[row]] = await pool.query(sql, params);
  if (!row) return null;
  return {
    ...row,
    id: Number(row.id),
    u: Number(row.u),
    d: Number(row.d),
    transferEnable: Number(row.transferEnable),
  };
}

async function resolve(token) {
  // Tokens are secrets: the store sees a digest.
  const tokenKey = `sub:token:${createHash('sha256').update(token).digest('base64url')}`;
  const cached = await redis.get(tokenKey);
  if (cached !== null) {
    const found = await subscriber(Number(cached), token);
    if (found) return found;
    await redis.del(tokenKey);
  }
  const owner = tokenOwnerQuery(q, token);
  const [[link]] = await pool.query(owner.sql, owner.params);
  if (!link) return null;
  const found = await subscriber(Number(link.userId), token);
  if (found) await redis.set(tokenKey, String(link.userId), 'PX', BODY_TTL_MS);
  return found;
}

async function recordFetch(userId, ip, now) {
  const count = await counter.count(userId, ip, now);
  const { sql, params } = fetchStatsQuery(q, userId, count.fetches, count.ips);
  await pool.query(sql, params);
}

let catalog = null;
let loading = null;
async function loadCatalog(generation) {
  const [rows] = await pool.query(
    'SELECT `id`, `name`, `sort`, `server`, `method`, `custom_config`, `traffic_rate`, ' +
      '`node_class`, `node_group`, `node_speedlimit` FROM `ss_node` WHERE `type` = 1 ' +
      'ORDER BY `sort` ASC, `id` ASC',
  );
  const nodes = [];
  for (const r of rows) {
    const reading = readNodeProtocol({
      id: r.id,
      name: r.name,
      sort: r.sort,
      server: r.server,
      method: r.method,
      customConfig: r.custom_config,
      trafficRate: Number(r.traffic_rate),
      nodeClass: r.node_class,
      nodeGroup: r.node_group,
      nodeSpeedlimit: Number(r.node_speedlimit),
    });
    if (reading.ok) nodes.push(reading.node);
  }
  const version = createHash('sha1')
    .update(JSON.stringify(nodes))
    .digest('base64url')
    .slice(0, 16);
  catalog = {
    nodes,
    version,
    generation,
    expiresAt: Date.now() + CATALOG_TTL_MS,
  };
  return catalog;
}

/** The catalog under its shared generation (read by the caller with the body's generations). */
function nodeCatalog(shared) {
  const generation = shared ?? 'initial';
  if (
    catalog &&
    catalog.generation === generation &&
    catalog.expiresAt > Date.now()
  )
    return catalog;
  loading ??= loadCatalog(generation).finally(() => {
    loading = null;
  });
  return loading;
}

function render(format, user, state, nodes) {
  let entries =
    state === 'active'
      ? buildEntries(nodes, user, null)
      : [placeholderEntry(placeholderName(state, SITE))];
  if (entries.length === 0)
    entries = [placeholderEntry(placeholderName('no-nodes', SITE))];
  return RENDERERS[format]({ entries, title: SITE_NAME });
}

/** The catalog and body generations in one MGET, as the app reads them. */
function generations(userId) {
  if (NO_CACHE)
    return redis.get('node-catalog:generation').then((c) => [c, null, null]);
  return redis.mget(
    'node-catalog:generation',
    'sub:generation',
    `sub:user-generation:${userId}`,
  );
}

async function body(format, user, state, cat, all, mine) {
  if (NO_CACHE) return render(format, user, state, cat.nodes);
  const key =
    `sub:body:${user.id}:${all ?? '0'}:${mine ?? '0'}:` +
    `${cat.version}:${digestOf(user, state)}:${format}:*`;
  const cached = await redis.get(key);
  if (cached !== null) return decodeProfile(cached);
  const built = render(format, user, state, cat.nodes);
  await redis.set(key, encodeProfile(built), 'PX', BODY_TTL_MS);
  return built;
}

async function subscription(req, res, token, format) {
  if (await rateLimited(res, token)) return;
  const now = new Date();
  const user = await resolve(token);
  if (!user) return send(res, 404, NOT_FOUND);
  await recordFetch(user.id, req.socket.remoteAddress ?? '', now);
  const state = accountState(user, now);
  const [catalogGeneration, all, mine] = await generations(user.id);
  const cat = await nodeCatalog(catalogGeneration);
  const rendered = await body(format, user, state, cat, all, mine);
  send(res, 200, rendered.body, {
    'content-type': rendered.contentType,
    'subscription-userinfo': subscriptionUserinfo(user),
    'profile-update-interval': UPDATE_INTERVAL_H,
    'content-disposition': contentDisposition(SITE_NAME, rendered.extension),
    'profile-title': PROFILE_TITLE,
    'cache-control': 'no-store',
  });
}

/** The title depends on the configuration only: formatted once, as the app does. */
const PROFILE_TITLE = profileTitle(SITE_NAME);

const SUB_PATH = /^\/sub\/([^/]+)\/([a-z0-9-]+)$/;
const server = http.createServer((req, res) => {
  res.setHeader('X-Request-Id', randomUUID());
  const path = req.url.split('?')[0];
  const match = req.method === 'GET' ? SUB_PATH.exec(path) : null;
  let work;
  if (path === '/health')
    work = Promise.resolve(send(res, 200, '{"ret":1,"msg":"ok"}'));
  else if (match && Object.hasOwn(RENDERERS, match[2]))
    work = new Promise((done, fail) =>
      browserHeaders(req, res, (err) => (err ? fail(err) : done())),
    ).then(() =>
      subscription(req, res, decodeURIComponent(match[1]), match[2]),
    );
  else work = Promise.resolve(send(res, 404, NOT_FOUND));
  work.catch((err) => {
    console.error(err);
    if (!res.headersSent)
      send(res, 500, '{"ret":0,"msg":"Internal server error"}');
  });
});
server.keepAliveTimeout = 65_000;
server.listen(PORT, '127.0.0.1', () =>
  console.log(`subscription ceiling listening on ${PORT}`),
);

// The runner stops this server once the measurements are over; in-flight requests may drop.
process.on('SIGTERM', () => process.exit(0));
