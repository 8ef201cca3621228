/**
 * `npm run bench:node`: the node API at 100,000 users against a bare node:http + mysql2 ceiling.
 *
 * 1. (Re)creates the MariaDB/MySQL database of DATABASE_URL (default
 *    mysql://root@127.0.0.1:3306/panel_bench_node), applies the real migrations and fills it: 100,000
 *    users of which about 13,000 are servable by node 1, 64 nodes, recent alive IPs.
 * 2. Starts the app built by `prebench:node` into bench/.build (its own copy: other work may
 *    rebuild dist/ meanwhile) and bench/node-ceiling-server.mjs as two processes on
 *    loopback ports, both on that database and REDIS_URL (default redis://127.0.0.1:6379).
 * 3. Runs autocannon against each, scenario by scenario, same connections and duration.
 * 4. Writes bench/RESULTS.md, then drops the database and the Redis keys.
 *
 * Not part of `npm test`. About 2–3 minutes.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import {
  APP_REDIS_PREFIX,
  appEnv,
  CEILING_REDIS_PREFIX,
  clearRedisPrefixes,
  CONNECTIONS,
  DATABASE_URL,
  GB,
  insertUsers,
  seedDates,
  dbName,
  dropDatabase,
  DURATION_S,
  fmtRps,
  log,
  machineNote,
  recreateDatabase,
  REDIS_URL,
  requireMysql,
  ROUNDS,
  run,
  scenario,
  startServer,
  WARMUP_S,
  writeSection,
} from './bench-kit.mjs';
import {
  GZIP_GOAL,
  measureWireBytes,
  wireBytesTable,
} from './node-wire-bytes.mjs';

const MU_KEY = `bench-${randomUUID()}`;
const USERS = 100_000;
const NODES = 64;
const BENCH_NODE = 1;

requireMysql('bench:node');

/** Deterministic population: node 1 (group 1, class 1) serves about 13,000 of 100,000 users. */
async function seed() {
  const db = await mysql.createConnection({ uri: DATABASE_URL, timezone: 'Z' });
  const now = new Date();
  const dates = seedDates(now);
  await insertUsers(db, 1, USERS, dates, (i) => {
    const cls = i % 5 < 2 ? 0 : 2;
    return {
      transfer_enable: i % 97 === 0 ? GB : 100 * GB,
      node_speedlimit: i % 3 === 0 ? 100 : 0,
      node_connector: i % 7 === 0 ? 3 : 0,
      enable: i % 10 === 3 ? 0 : 1,
      class: cls,
      class_expire: cls > 0 && i % 23 === 0 ? dates.past : dates.future,
      expire_in: i % 50 === 7 ? dates.past : dates.future,
      node_group: (i % 4) + 1,
    };
  });
  const nodes = [];
  for (let n = 1; n <= NODES; n++)
    nodes.push([
      `node${n}`,
      1,
      `node${n}.bench.local`,
      'aes-256-gcm',
      '',
      '',
      11,
      1,
      1,
      1,
      0,
      0,
      JSON.stringify({
        offset_port_node: '443',
        network: 'tcp',
        security: 'tls',
      }),
    ]);
  await db.query(
    'INSERT INTO `ss_node` (`name`, `type`, `server`, `method`, `info`, `status`, `sort`, `traffic_rate`, `node_class`, `node_group`, `node_bandwidth`, `node_bandwidth_limit`, `custom_config`) VALUES ?',
    [nodes],
  );
  // Seen "now" for the whole run: a row ageing out of the 90 s window mid-run would change the
  // lists (their alive_ip counts) between the app's build and the ceiling's.
  const unix = Math.floor(now.getTime() / 1000) + 3600;
  const alive = [];
  for (let k = 0; k < 5000; k++) {
    const user = ((k * 7919) % USERS) + 1;
    alive.push([
      (k % NODES) + 1,
      user,
      `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`,
      unix - (k % 60),
    ]);
  }
  await db.query(
    'INSERT INTO `alive_ip` (`nodeid`, `userid`, `ip`, `datetime`) VALUES ?',
    [alive],
  );
  const [[{ n: total }]] = await db.query('SELECT COUNT(*) AS n FROM `user`');
  await db.end();
  return { total };
}

/** Every traffic body is new (dedup would skip the work) and hits its own node and users. */
function trafficRequests(base, size) {
  let seq = 0;
  const nodeCount = NODES - 1;
  const tails = [];
  for (let n = 0; n < nodeCount; n++) {
    const first = n * size + 1;
    const entries = [];
    for (let i = 1; i < size; i++)
      entries.push(`{"user_id":${first + i},"u":${1000 + i},"d":${5000 + i}}`);
    tails.push({ first, tail: entries.length ? `,${entries.join(',')}` : '' });
  }
  return [
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => {
        const n = seq % nodeCount;
        seq++;
        const { first, tail } = tails[n];
        return {
          ...req,
          path: `${base}&node_id=${n + 2}`,
          body: `{"data":[{"user_id":${first},"u":${seq},"d":1}${tail}]}`,
        };
      },
    },
  ];
}

/** GETs `path` from every target: the same JSON body and ETag from each, or it throws. */
async function sameList(targets, path) {
  const answers = [];
  for (const t of targets) {
    const res = await fetch(`${t.url}${path}`);
    if (res.status !== 200)
      throw new Error(`${t.name}: ${path} answered ${res.status}`);
    answers.push({ text: await res.text(), etag: res.headers.get('etag') });
  }
  const [first, ...rest] = answers;
  if (rest.some((a) => a.text !== first.text || a.etag !== first.etag))
    throw new Error(
      `the ceiling does not send the same body and ETag as the app for ${path}`,
    );
  return {
    body: JSON.parse(first.text),
    etag: first.etag,
    bytes: Buffer.byteLength(first.text),
  };
}

async function main() {
  const started = new Date();
  const load0 = os.loadavg();
  log(`database ${dbName}: recreate, migrate, seed ${USERS} users`);
  await recreateDatabase();
  const env = appEnv({ MU_KEY, THROTTLE_NODE_LIMIT: '1000000000' });
  await run('node', ['bench/.build/cli/migrate.js'], env);
  const t0 = Date.now();
  const { total } = await seed();
  log(`seeded ${total} users in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const redis = new Redis(REDIS_URL);
  const clearRedis = () =>
    clearRedisPrefixes(redis, [APP_REDIS_PREFIX, CEILING_REDIS_PREFIX]);
  await clearRedis();

  const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? '')
    .split(' ')
    .filter(Boolean);
  const ceilingArgs = (process.env.BENCH_CEILING_NODE_ARGS ?? '')
    .split(' ')
    .filter(Boolean);
  const servers = [];
  const stop = () => servers.forEach((s) => s.stop());
  try {
    servers.push(
      ...(await Promise.all([
        startServer(
          'app',
          [...nodeArgs, process.env.BENCH_APP_MAIN ?? 'bench/.build/main.js'],
          env,
        ),
        startServer(
          'ceiling',
          [...ceilingArgs, 'bench/node-ceiling-server.mjs'],
          env,
        ),
      ])),
    );
    const key = `key=${encodeURIComponent(MU_KEY)}&muKey=${encodeURIComponent(MU_KEY)}`;
    const targets = servers;
    const usersPath = `/mod_mu/users?${key}&node_id=${BENCH_NODE}`;
    const first = await fetch(`${targets[0].url}${usersPath}`);
    const listBody = await first.json();
    const etag = first.headers.get('etag');
    const check = await fetch(`${targets[1].url}${usersPath}`);
    const ceilingBody = await check.json();
    if (
      JSON.stringify(ceilingBody) !== JSON.stringify(listBody) ||
      check.headers.get('etag') !== etag
    )
      throw new Error(
        'the ceiling does not send the same list and ETag as the app',
      );
    const servable = listBody.data.length;
    const listBytes = Buffer.byteLength(JSON.stringify(listBody));
    log(
      `node ${BENCH_NODE} serves ${servable} users (${(listBytes / 1024 / 1024).toFixed(2)} MiB), ETag ${etag}`,
    );
    const uniproxyPath = `/api/v1/server/UniProxy/user?token=${encodeURIComponent(MU_KEY)}&node_id=${BENCH_NODE}&node_type=v2ray`;
    const uniproxy = await sameList(targets, uniproxyPath);
    if (uniproxy.body.users.length !== servable)
      throw new Error(
        `UniProxy lists ${uniproxy.body.users.length} users, /mod_mu ${servable}`,
      );
    log(
      `UniProxy user list ${(uniproxy.bytes / 1024 / 1024).toFixed(2)} MiB, ETag ${uniproxy.etag}`,
    );

    const results = {};
    const scenarios = [
      ['users list (200, full body)', { path: usersPath }],
      [
        'users list (304)',
        {
          path: usersPath,
          headers: { 'if-none-match': etag },
          expect: '3xx',
        },
      ],
      ['UniProxy user (200, full body)', { path: uniproxyPath }],
      [
        'UniProxy user (304)',
        {
          path: uniproxyPath,
          headers: { 'if-none-match': uniproxy.etag },
          expect: '3xx',
        },
      ],
      [
        'traffic, 1,000 entries',
        { requests: trafficRequests(`/mod_mu/users/traffic?${key}`, 1000) },
      ],
      [
        'traffic, 10 entries',
        { requests: trafficRequests(`/mod_mu/users/traffic?${key}`, 10) },
      ],
    ];
    const only = process.env.BENCH_ONLY;
    for (const [name, opts] of scenarios) {
      if (only && !name.includes(only)) continue;
      results[name] = await scenario(name, targets, opts);
    }
    const tokenQuery = `token=${encodeURIComponent(MU_KEY)}&node_id=${BENCH_NODE}&node_type=v2ray`;
    const wire = await measureWireBytes(targets[0].url, [
      ['`GET /mod_mu/users`', usersPath],
      [
        '`GET /app/api/v0/node/users` (seed)',
        `/app/api/v0/node/users?node_id=${BENCH_NODE}`,
        { key: MU_KEY },
      ],
      ['UniProxy `user`', uniproxyPath],
      ['UniProxy `config`', `/api/v1/server/UniProxy/config?${tokenQuery}`],
    ]);
    for (const r of wire)
      log(
        `${r.name}: ${r.plain} B plain, ${r.gzip} B gzip (${r.ratio.toFixed(2)}×)`,
      );
    if (!only)
      writeResults({
        started,
        results,
        servable,
        listBytes,
        uniproxyBytes: uniproxy.bytes,
        wire,
        total,
        machine: await machineNote(load0),
      });
  } finally {
    stop();
    await new Promise((r) => setTimeout(r, 500));
    await clearRedis();
    await redis.quit();
    if (!process.env.BENCH_KEEP_DB) await dropDatabase();
  }
}

function writeResults({
  started,
  results,
  servable,
  listBytes,
  uniproxyBytes,
  wire,
  total,
  machine,
}) {
  const list = results['users list (200, full body)'];
  const notModified = results['users list (304)'];
  const uniproxy = results['UniProxy user (200, full body)'];
  const uniproxy304 = results['UniProxy user (304)'];
  const t1000 = results['traffic, 1,000 entries'];
  const t10 = results['traffic, 10 entries'];
  const ratio = (a, b) => a / b;
  const checks = [
    [
      'users list: app ≥ 0.8 × ceiling',
      ratio(list.app.rps, list.ceiling.rps),
      0.8,
    ],
    [
      '304 path ≥ 20 × full list (app)',
      ratio(notModified.app.rps, list.app.rps),
      20,
    ],
    [
      'UniProxy user list: app ≥ 0.8 × ceiling',
      ratio(uniproxy.app.rps, uniproxy.ceiling.rps),
      0.8,
    ],
    [
      'traffic, 1,000 entries: app ≥ 0.7 × ceiling',
      ratio(t1000.app.rps, t1000.ceiling.rps),
      0.7,
    ],
    [
      'traffic, 10 entries: app ≥ 0.5 × ceiling',
      ratio(t10.app.rps, t10.ceiling.rps),
      0.5,
    ],
  ];
  const p99ok = t10.app.p99 < 50;
  const lists = wire.filter((r) => !r.name.includes('config'));
  const worstGzip = lists.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const gzipOk = worstGzip.ratio <= GZIP_GOAL;
  const rows = Object.entries(results).map(
    ([name, r]) =>
      `| ${name} | ${fmtRps(r.app.rps)} (${r.app.rounds.join(', ')}) | ${r.app.p50} | ${r.app.p99} | ${fmtRps(r.ceiling.rps)} (${r.ceiling.rounds.join(', ')}) | ${r.ceiling.p50} | ${r.ceiling.p99} | ${ratio(r.app.rps, r.ceiling.rps).toFixed(2)} | ${r.app.bad + r.ceiling.bad} |`,
  );
  const md = `<!-- node-bench:start -->
## Node API

This section is generated by \`npm run bench:node\` (bench/node-bench.mjs), last on ${started.toISOString()}; see bench/README.md for the profile notes.

### Goals

| goal | measured | target | met |
|---|---|---|---|
${checks.map(([name, value, target]) => `| ${name} | ${value.toFixed(2)}× | ${target}× | ${value >= target ? 'yes' : '**no**'} |`).join('\n')}
| traffic, 10 entries: app p99 < 50 ms | ${t10.app.p99} ms | 50 ms | ${p99ok ? 'yes' : '**no**'} |
| every list route: gzip bytes ≤ ${GZIP_GOAL} × plain (${servable.toLocaleString('en-US')} users) | ${worstGzip.ratio.toFixed(2)}× (worst: ${worstGzip.name}) | ${GZIP_GOAL}× | ${gzipOk ? 'yes' : '**no**'} |

Not a goal, shown next to each other: the app's UniProxy \`user\` 304 answers ${fmtRps(uniproxy304.app.rps)} req/s, the
\`/mod_mu/users\` 304 ${fmtRps(notModified.app.rps)} req/s (${ratio(uniproxy304.app.rps, notModified.app.rps).toFixed(2)}×); each 304 is
${ratio(uniproxy304.app.rps, uniproxy.app.rps).toFixed(1)}× / ${ratio(notModified.app.rps, list.app.rps).toFixed(1)}× its own full list. With \`Accept-Encoding: gzip\` every 304 stays a bare
304 with the same ETag (table below).

### Figures

${CONNECTIONS} connections; per scenario ${ROUNDS} rounds alternating app and ceiling, each run ${DURATION_S} s after a
${WARMUP_S} s warm-up. Requests/s are autocannon's per-second averages, averaged over the rounds (each
round in brackets); p50/p99 latencies in ms are the worst round's. "bad" counts unexpected statuses,
errors and timeouts (should be 0).

| scenario | app req/s | app p50 | app p99 | ceiling req/s | ceiling p50 | ceiling p99 | app / ceiling | bad |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

### Bytes on the wire: gzip

Each route requested once without \`Accept-Encoding\` and once with \`Accept-Encoding: gzip\` (what Go's
HTTP client sends by default), node ${BENCH_NODE} with ${servable.toLocaleString('en-US')} servable users; the body bytes as
received, not decompressed. The compressed bytes are made once per cache fill, not per request.

${wireBytesTable(wire)}

### What was measured

- **Database**: ${total.toLocaleString('en-US')} users; node ${BENCH_NODE} (group 1, class 1) serves **${servable.toLocaleString('en-US')}** of them
  (the rest: other groups, class 0, disabled, expired, over quota, over their device limit);
  64 nodes; 5,000 recent \`alive_ip\` rows. The users list body is ${(listBytes / 1024 / 1024).toFixed(2)} MiB, the UniProxy
  \`user\` body ${(uniproxyBytes / 1024 / 1024).toFixed(2)} MiB.
- **App**: the built Nest app (\`node bench/.build/main.js\`, NODE_ENV=production, LOG_LEVEL=warn, so no access
  log line per request; the node rate limit raised out of the way), MariaDB pool of 10, Redis cache.
- **Ceiling**: \`bench/node-ceiling-server.mjs\`, a bare \`node:http\` + \`mysql2\` (+ \`ioredis\`) process
  doing the same work per request: the same MU_KEY check (sha256 + timingSafeEqual), the same
  input checks (it imports the app's \`trafficEntriesProblem\`), the same SQL (it imports the
  app's builders from \`bench/.build/modules/node-api/node-sql.js\`), the same JSON shape (checked: its
  list and ETag equal the app's byte for byte before the runs), the same Redis-cached list with
  a head read per request, the same coalesced heartbeat write and the same traffic transaction
  (report claim, CASE updates in chunks of 1,000, node update). It is what the app would be
  without Nest, Express, class-validator and TypeORM.
- **users list (200)**: \`GET /mod_mu/users?node_id=1\` without If-None-Match, the full list each time.
- **users list (304)**: the same with the current ETag in If-None-Match, as XrayR's second poll.
- **UniProxy user (200)**: \`GET /api/v1/server/UniProxy/user?token=…&node_id=1&node_type=v2ray\` (node 1 is VMess) without
  If-None-Match: \`{"users":[{id, uuid, speed_limit, device_limit}]}\` for the same users. The ceiling does the
  route's work (bench/node-ceiling-uniproxy.mjs): the key from \`token\`, \`node_type\` normalised, the node row
  read with the app's \`readNodeProtocol\` and matched to the type, the coalesced heartbeat, the list
  from Redis with V2Board's ETag (built on a miss with the app's SQL builders and row rules);
  checked: same body and ETag as the app's.
- **UniProxy user (304)**: the same with the ETag in If-None-Match, as the agents' next poll.
- **traffic**: \`POST /mod_mu/users/traffic\` with 1,000 or 10 entries. Every body is different
  (the dedup window would otherwise acknowledge without applying) and requests rotate over 63
  nodes with disjoint users, as reports from different nodes do; the same sequence goes to both servers.

${machine}
<!-- node-bench:end -->`;
  writeSection('node-bench', md);
  log('wrote the "Node API" section of bench/RESULTS.md');
  for (const [name, value, target] of checks)
    log(`${value >= target ? 'OK  ' : 'MISS'} ${name}: ${value.toFixed(2)}×`);
  log(`${p99ok ? 'OK  ' : 'MISS'} traffic 10 p99: ${t10.app.p99} ms`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
