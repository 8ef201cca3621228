/**
 * `npm run bench:node`: the node API at 100,000 users against a bare node:http + mysql2 ceiling.
 *
 * 1. (Re)creates the MariaDB/MySQL database of DATABASE_URL (default
 *    mysql://root@127.0.0.1:3306/panel_bench), applies the real migrations and fills it: 100,000
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
  appEnv,
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
  const unix = Math.floor(now.getTime() / 1000);
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
    clearRedisPrefixes(redis, ['panel_bench:', 'panel_bench_ceiling:']);
  await clearRedis();

  const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? '')
    .split(' ')
    .filter(Boolean);
  const servers = [];
  const stop = () => servers.forEach((s) => s.stop());
  try {
    servers.push(
      ...(await Promise.all([
        startServer('app', [...nodeArgs, 'bench/.build/main.js'], env),
        startServer('ceiling', ['bench/node-ceiling-server.mjs'], env),
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
    if (!only)
      writeResults({
        started,
        results,
        servable,
        listBytes,
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
  total,
  machine,
}) {
  const list = results['users list (200, full body)'];
  const notModified = results['users list (304)'];
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

### Figures

${CONNECTIONS} connections; per scenario ${ROUNDS} rounds alternating app and ceiling, each run ${DURATION_S} s after a
${WARMUP_S} s warm-up. Requests/s are autocannon's per-second averages, averaged over the rounds (each
round in brackets); p50/p99 latencies in ms are the worst round's. "bad" counts unexpected statuses,
errors and timeouts (should be 0).

| scenario | app req/s | app p50 | app p99 | ceiling req/s | ceiling p50 | ceiling p99 | app / ceiling | bad |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

### What was measured

- **Database**: ${total.toLocaleString('en-US')} users; node ${BENCH_NODE} (group 1, class 1) serves **${servable.toLocaleString('en-US')}** of them
  (the rest: other groups, class 0, disabled, expired, over quota, over their device limit);
  64 nodes; 5,000 recent \`alive_ip\` rows. The users list body is ${(listBytes / 1024 / 1024).toFixed(2)} MiB.
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
