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
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATABASE_URL =
  process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/panel_bench';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MU_KEY = `bench-${randomUUID()}`;
const USERS = 100_000;
const NODES = 64;
const BENCH_NODE = 1;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const WARMUP_S = 2;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

if (!DATABASE_URL.startsWith('mysql://')) {
  console.error('bench:node needs DATABASE_URL=mysql://… (MariaDB or MySQL)');
  process.exit(1);
}
const dbName = new URL(DATABASE_URL).pathname.slice(1);
const serverUrl = (() => {
  const u = new URL(DATABASE_URL);
  u.pathname = '/';
  return u.toString();
})();

const log = (...a) => console.log('[bench]', ...a);

async function onServer(sql) {
  const conn = await mysql.createConnection({ uri: serverUrl });
  try {
    return await conn.query(sql);
  } finally {
    await conn.end();
  }
}

function run(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: 'inherit',
    });
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`)),
    );
  });
}

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const pad = (n) => String(n).padStart(2, '0');
const datetime = (d) =>
  `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;

/** Deterministic population: node 1 (group 1, class 1) serves about 13,000 of 100,000 users. */
async function seed() {
  const db = await mysql.createConnection({ uri: DATABASE_URL, timezone: 'Z' });
  const now = new Date();
  const future = datetime(new Date(now.getTime() + 30 * 86_400_000));
  const past = datetime(new Date(now.getTime() - 86_400_000));
  const nowText = datetime(now);
  const GB = 1024 ** 3;
  const cols = [
    'user_name',
    'email',
    'pass',
    'passwd',
    'uuid',
    'port',
    'method',
    'protocol',
    'obfs',
    't',
    'u',
    'd',
    'transfer_enable',
    'node_speedlimit',
    'node_connector',
    'switch',
    'enable',
    'class',
    'class_expire',
    'expire_in',
    'node_group',
    'reg_date',
    'theme',
    'ga_token',
    'invite_num',
    'money',
  ];
  const BATCH = 5000;
  for (let start = 1; start <= USERS; start += BATCH) {
    const rows = [];
    for (let i = start; i < start + BATCH && i <= USERS; i++) {
      const cls = i % 5 < 2 ? 0 : 2;
      rows.push([
        `user${i}`,
        `user${i}@bench.local`,
        '$2b$10$benchbenchbenchbenchbenchbenchbenchbenchbenchbenchben',
        `pw${(i * 7919).toString(36)}`,
        randomUUID(),
        10_000 + i,
        'aes-256-gcm',
        'origin',
        'plain',
        0,
        (i * 131) % GB,
        (i * 977) % GB,
        i % 97 === 0 ? GB : 100 * GB,
        i % 3 === 0 ? 100 : 0,
        i % 7 === 0 ? 3 : 0,
        1,
        i % 10 === 3 ? 0 : 1,
        cls,
        cls > 0 && i % 23 === 0 ? past : future,
        i % 50 === 7 ? past : future,
        (i % 4) + 1,
        nowText,
        'default',
        '',
        0,
        '0.00',
      ]);
    }
    await db.query(
      `INSERT INTO \`user\` (${cols.map((c) => `\`${c}\``).join(', ')}) VALUES ?`,
      [rows],
    );
  }
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

function waitReady(port, path, child, name) {
  const deadline = Date.now() + 60_000;
  return new Promise((resolve, reject) => {
    child.on('exit', (code) =>
      reject(new Error(`${name} exited early (${code})`)),
    );
    const attempt = () => {
      fetch(`http://127.0.0.1:${port}${path}`)
        .then((r) => (r.ok ? resolve() : retry()))
        .catch(retry);
    };
    const retry = () =>
      Date.now() > deadline
        ? reject(new Error(`${name} not ready`))
        : setTimeout(attempt, 250);
    attempt();
  });
}

function cannon(opts) {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, ...opts }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
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

/** One measured run (after a warm-up) of one scenario against one server. */
async function measure(name, target, { path = '', ...opts }) {
  // autocannon takes the path from the URL; `requests` may override it per request.
  const url = `${target.url}${path}`;
  await cannon({ ...opts, url, duration: WARMUP_S });
  const r = await cannon({ ...opts, url, duration: DURATION_S });
  const expected = name.includes('304') ? r['3xx'] : r['2xx'];
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    bad: r.requests.total - expected + r.errors + r.timeouts,
  };
}

/**
 * ROUNDS alternating runs per server (app, ceiling, app, ceiling, ...) so that the noise of a
 * shared machine hits both alike; requests/s averaged, latencies the worst of the rounds.
 */
async function scenario(name, targets, opts) {
  const runs = Object.fromEntries(targets.map((t) => [t.name, []]));
  for (let round = 0; round < ROUNDS; round++)
    for (const target of targets)
      runs[target.name].push(await measure(name, target, opts));
  const out = {};
  for (const [server, list] of Object.entries(runs)) {
    out[server] = {
      rps: list.reduce((s, r) => s + r.rps, 0) / list.length,
      p50: Math.max(...list.map((r) => r.p50)),
      p99: Math.max(...list.map((r) => r.p99)),
      bad: list.reduce((s, r) => s + r.bad, 0),
      rounds: list.map((r) => Math.round(r.rps)),
    };
    log(
      `${name} @ ${server}: ${out[server].rps.toFixed(0)} req/s (${out[server].rounds.join(', ')}), p99 ${out[server].p99} ms, bad ${out[server].bad}`,
    );
  }
  return out;
}

async function main() {
  const started = new Date();
  const load0 = os.loadavg();
  log(`database ${dbName}: recreate, migrate, seed ${USERS} users`);
  await onServer(`DROP DATABASE IF EXISTS \`${dbName}\``);
  await onServer(
    `CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL,
    REDIS_URL,
    REDIS_KEY_PREFIX: 'panel_bench:',
    MU_KEY,
    JWT_SECRET: `bench-${randomUUID()}-${randomUUID()}`,
    LOG_LEVEL: 'warn',
    SCHEDULER_ENABLED: 'false',
    THROTTLE_NODE_LIMIT: '1000000000',
    DB_POOL_SIZE: '10',
  };
  await run('node', ['bench/.build/cli/migrate.js'], env);
  const t0 = Date.now();
  const { total } = await seed();
  log(`seeded ${total} users in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const redis = new Redis(REDIS_URL);
  const clearRedis = async () => {
    for (const prefix of ['panel_bench:', 'panel_bench_ceiling:']) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
    }
  };
  await clearRedis();

  const [appPort, ceilingPort] = await Promise.all([freePort(), freePort()]);
  const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? '')
    .split(' ')
    .filter(Boolean);
  const app = spawn('node', [...nodeArgs, 'bench/.build/main.js'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(appPort) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const ceiling = spawn('node', ['bench/node-ceiling-server.mjs'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(ceilingPort) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const stop = () => {
    for (const child of [app, ceiling])
      if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.on('exit', stop);
  try {
    await Promise.all([
      waitReady(appPort, '/health', app, 'app'),
      waitReady(ceilingPort, '/health', ceiling, 'ceiling'),
    ]);
    const key = `key=${encodeURIComponent(MU_KEY)}&muKey=${encodeURIComponent(MU_KEY)}`;
    const targets = [
      { name: 'app', url: `http://127.0.0.1:${appPort}` },
      { name: 'ceiling', url: `http://127.0.0.1:${ceilingPort}` },
    ];
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
        { path: usersPath, headers: { 'if-none-match': etag } },
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
    const [[{ v: mariadb }]] = await onServer('SELECT VERSION() AS v');
    const [[flush]] = await onServer(
      "SHOW VARIABLES LIKE 'innodb_flush_log_at_trx_commit'",
    );
    if (!only)
      writeResults({
        started,
        load0,
        results,
        servable,
        listBytes,
        total,
        mariadb,
        flush: flush.Value,
      });
  } finally {
    stop();
    await new Promise((r) => setTimeout(r, 500));
    await clearRedis();
    await redis.quit();
    if (!process.env.BENCH_KEEP_DB)
      await onServer(`DROP DATABASE IF EXISTS \`${dbName}\``);
  }
}

function writeResults({
  started,
  load0,
  results,
  servable,
  listBytes,
  total,
  mariadb,
  flush,
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
  const fmt = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
  const rows = Object.entries(results).map(
    ([name, r]) =>
      `| ${name} | ${fmt(r.app.rps)} (${r.app.rounds.join(', ')}) | ${r.app.p50} | ${r.app.p99} | ${fmt(r.ceiling.rps)} (${r.ceiling.rounds.join(', ')}) | ${r.ceiling.p50} | ${r.ceiling.p99} | ${ratio(r.app.rps, r.ceiling.rps).toFixed(2)} | ${r.app.bad + r.ceiling.bad} |`,
  );
  const cpus = os.cpus();
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

### Machine

- ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}
- Node.js ${process.version}; MariaDB ${mariadb} (innodb_flush_log_at_trx_commit=${flush}: every commit is an fsync); Redis on loopback
- Load average at start: ${load0.map((l) => l.toFixed(2)).join(' / ')}
- **Shared machine**: other agents were building and running test suites on the same ${cpus.length} cores
  during the run, and autocannon, the servers, MariaDB and Redis all share them too. Absolute
  figures are noisy; the ratios (same run, same machine, back to back) are what the goals compare.
<!-- node-bench:end -->`;
  // bench/RESULTS.md is shared with other benchmarks: replace only this section.
  const file = join(ROOT, 'bench', 'RESULTS.md');
  const current = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmarks\n';
  const pattern = /<!-- node-bench:start -->[\s\S]*<!-- node-bench:end -->/;
  writeFileSync(
    file,
    pattern.test(current)
      ? current.replace(pattern, () => md)
      : `${current.trimEnd()}\n\n${md}\n`,
  );
  log('wrote the "Node API" section of bench/RESULTS.md');
  for (const [name, value, target] of checks)
    log(`${value >= target ? 'OK  ' : 'MISS'} ${name}: ${value.toFixed(2)}×`);
  log(`${p99ok ? 'OK  ' : 'MISS'} traffic 10 p99: ${t10.app.p99} ms`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
