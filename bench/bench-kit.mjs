/**
 * What the app-vs-ceiling benchmarks share (bench/node-bench.mjs, bench/subscription-bench.mjs):
 * the database URL and its server, child processes and ports, autocannon runs in alternating
 * rounds, the machine note and the RESULTS.md section writer.
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * Which bench this process belongs to (`node`, `subscription`, `money`: the running script's
 * name without `-bench.mjs`; a ceiling server inherits its runner's `BENCH_NAME`). The default
 * database and the Redis prefixes are per bench, so two benches run side by side never drop or
 * clear each other's data.
 */
export const BENCH_NAME =
  process.env.BENCH_NAME ??
  basename(process.argv[1] ?? 'bench', '.mjs').replace(/-bench$/, '');
export const DATABASE_URL =
  process.env.DATABASE_URL ??
  `mysql://root@127.0.0.1:3306/panel_bench_${BENCH_NAME.replace(/\W/g, '_')}`;
/** The app's REDIS_KEY_PREFIX and the ceiling's own prefix in a bench run. */
export const APP_REDIS_PREFIX = `panel_bench_${BENCH_NAME}:`;
export const CEILING_REDIS_PREFIX = `panel_bench_${BENCH_NAME}_ceiling:`;
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
export const WARMUP_S = 2;
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

export const dbName = new URL(DATABASE_URL).pathname.slice(1);
const serverUrl = (() => {
  const u = new URL(DATABASE_URL);
  u.pathname = '/';
  return u.toString();
})();

export const log = (...a) => console.log('[bench]', ...a);

/** Exits unless DATABASE_URL is MariaDB/MySQL. */
export function requireMysql(script) {
  if (!DATABASE_URL.startsWith('mysql://')) {
    console.error(`${script} needs DATABASE_URL=mysql://… (MariaDB or MySQL)`);
    process.exit(1);
  }
}

/** One statement on the database server, outside the bench database. */
export async function onServer(sql) {
  const conn = await mysql.createConnection({ uri: serverUrl });
  try {
    return await conn.query(sql);
  } finally {
    await conn.end();
  }
}

/** Drops and recreates the bench database (empty, utf8mb4). */
export async function recreateDatabase() {
  await onServer(`DROP DATABASE IF EXISTS \`${dbName}\``);
  await onServer(
    `CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
}

export const dropDatabase = () =>
  onServer(`DROP DATABASE IF EXISTS \`${dbName}\``);

export function run(cmd, args, env) {
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

export async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const pad = (n) => String(n).padStart(2, '0');
/** A UTC `YYYY-MM-DD hh:mm:ss` for DATETIME columns. */
export const datetime = (d) =>
  `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;

/** A server process on a free loopback port, answering `readyPath` with 2xx. */
export async function startServer(name, args, env, readyPath = '/health') {
  const port = await freePort();
  const child = spawn('node', args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.on('exit', stop);
  await waitReady(port, readyPath, child, name);
  return { name, url: `http://127.0.0.1:${port}`, child, stop };
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

/** Peak and current resident set of a process (Linux /proc), in bytes. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) *
    1024;
  return { peakRss: kb('VmHWM'), rss: kb('VmRSS') };
}

function cannon(opts) {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, ...opts }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

/**
 * With BENCH_CPU_REQUESTS=N each measured run is a fixed N requests instead of DURATION_S, and
 * the server's own CPU time over it (utime + stime of its process, every thread) is reported
 * per request: on a shared, loaded machine a steadier comparison than requests/s.
 */
const CPU_REQUESTS = Number(process.env.BENCH_CPU_REQUESTS ?? 0);
const TICK_US = 1e6 / 100; // USER_HZ: 100 on Linux

/** utime + stime of a process so far, in µs (/proc/<pid>/stat fields 14 and 15). */
function cpuTimeUs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

/**
 * One measured run (after a warm-up) of one scenario against one server. `expect` is the
 * status class every response should have (`2xx`, `3xx`).
 */
async function measure(target, { path = '', expect = '2xx', ...opts }) {
  // autocannon takes the path from the URL; `requests` may override it per request.
  const url = `${target.url}${path}`;
  await cannon({ ...opts, url, duration: WARMUP_S });
  const cpu0 = CPU_REQUESTS ? cpuTimeUs(target.child.pid) : 0;
  const r = await cannon({
    ...opts,
    url,
    ...(CPU_REQUESTS ? { amount: CPU_REQUESTS } : { duration: DURATION_S }),
  });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    bad: r.requests.total - r[expect] + r.errors + r.timeouts,
    cpuUs: CPU_REQUESTS
      ? (cpuTimeUs(target.child.pid) - cpu0) / r.requests.total
      : null,
  };
}

/**
 * ROUNDS alternating runs per server (app, ceiling, app, ceiling, ...) so that the noise of a
 * shared machine hits both alike; requests/s averaged, latencies the worst of the rounds.
 * `opts` is autocannon's options, or a function of the target returning them.
 */
export async function scenario(name, targets, opts, rounds = ROUNDS) {
  const runs = Object.fromEntries(targets.map((t) => [t.name, []]));
  for (let round = 0; round < rounds; round++)
    for (const target of targets)
      runs[target.name].push(
        await measure(target, typeof opts === 'function' ? opts(target) : opts),
      );
  const out = {};
  for (const [server, list] of Object.entries(runs)) {
    out[server] = {
      rps: list.reduce((s, r) => s + r.rps, 0) / list.length,
      p50: Math.max(...list.map((r) => r.p50)),
      p99: Math.max(...list.map((r) => r.p99)),
      bad: list.reduce((s, r) => s + r.bad, 0),
      rounds: list.map((r) => Math.round(r.rps)),
      cpuUs: CPU_REQUESTS
        ? list.reduce((s, r) => s + r.cpuUs, 0) / list.length
        : null,
    };
    const cpu = CPU_REQUESTS
      ? `, CPU ${out[server].cpuUs.toFixed(0)} µs/request (${list.map((r) => r.cpuUs.toFixed(0)).join(', ')})`
      : '';
    log(
      `${name} @ ${server}: ${out[server].rps.toFixed(0)} req/s (${out[server].rounds.join(', ')}), p99 ${out[server].p99} ms, bad ${out[server].bad}${cpu}`,
    );
  }
  return out;
}

/** req/s as the tables print them. */
export const fmtRps = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

/** The `### Machine` bullets every section ends with. */
export async function machineNote(load0, extra = []) {
  const [[{ v: mariadb }]] = await onServer('SELECT VERSION() AS v');
  const [[flush]] = await onServer(
    "SHOW VARIABLES LIKE 'innodb_flush_log_at_trx_commit'",
  );
  const cpus = os.cpus();
  const load1 = os.loadavg();
  const loads = (l) => l.map((x) => x.toFixed(2)).join(' / ');
  return `### Machine

- ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}
- Node.js ${process.version}; MariaDB ${mariadb} (innodb_flush_log_at_trx_commit=${flush.Value}: every commit is an fsync); Redis on loopback
- Load average at start: ${loads(load0)}; at the end: ${loads(load1)}
${extra.map((line) => `- ${line}\n`).join('')}- **Shared machine**: other agents were building and running test suites on the same ${cpus.length} cores
  during the run, and autocannon, the servers, MariaDB and Redis all share them too. Absolute
  figures are noisy; the ratios (same run, same machine, back to back) are what the goals compare.`;
}

/**
 * bench/RESULTS.md is shared by the benchmarks: replaces only the section between
 * `<!-- marker:start -->` and `<!-- marker:end -->` (appended when missing). `md` includes both.
 */
export function writeSection(marker, md) {
  const file = join(ROOT, 'bench', 'RESULTS.md');
  const current = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmarks\n';
  const pattern = new RegExp(
    `<!-- ${marker}:start -->[\\s\\S]*<!-- ${marker}:end -->`,
  );
  writeFileSync(
    file,
    pattern.test(current)
      ? current.replace(pattern, () => md)
      : `${current.trimEnd()}\n\n${md}\n`,
  );
}

/** Deletes every Redis key under these prefixes (the bench's own namespaces only). */
export async function clearRedisPrefixes(redis, prefixes) {
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}*`);
    for (let i = 0; i < keys.length; i += 10_000)
      await redis.del(...keys.slice(i, i + 10_000));
  }
}

export const GB = 1024 ** 3;

/** Dates the seeds use: 30 days ahead, a day ago, now (as DATETIME text). */
export function seedDates(now = new Date()) {
  return {
    future: datetime(new Date(now.getTime() + 30 * 86_400_000)),
    past: datetime(new Date(now.getTime() - 86_400_000)),
    now: datetime(now),
  };
}

/**
 * Inserts users `first`..`last` (ids follow on an empty table) in batches of 5,000: an
 * enabled user with 100 GB and a unique port/passwd/uuid, overridden per user by `vary(i)`
 * (column → value).
 */
/** Every seeded user's stored password hash (bench JWTs are stamped with it). */
export const BENCH_PASS_HASH =
  '$2b$10$benchbenchbenchbenchbenchbenchbenchbenchbenchbenchben';

export async function insertUsers(db, first, last, dates, vary) {
  const base = (i) => ({
    user_name: `user${i}`,
    email: `user${i}@bench.local`,
    pass: BENCH_PASS_HASH,
    passwd: `pw${(i * 7919).toString(36)}`,
    uuid: randomUUID(),
    port: 10_000 + i,
    method: 'aes-256-gcm',
    protocol: 'origin',
    obfs: 'plain',
    t: 0,
    u: (i * 131) % GB,
    d: (i * 977) % GB,
    transfer_enable: 100 * GB,
    node_speedlimit: 0,
    node_connector: 0,
    switch: 1,
    enable: 1,
    class: 0,
    class_expire: dates.future,
    expire_in: dates.future,
    node_group: 0,
    reg_date: dates.now,
    theme: 'default',
    ga_token: '',
    invite_num: 0,
    money: '0.00',
  });
  const cols = Object.keys(base(1));
  const BATCH = 5000;
  for (let start = first; start <= last; start += BATCH) {
    const rows = [];
    for (let i = start; i < start + BATCH && i <= last; i++) {
      const user = { ...base(i), ...vary(i) };
      rows.push(cols.map((c) => user[c]));
    }
    await db.query(
      `INSERT INTO \`user\` (${cols.map((c) => `\`${c}\``).join(', ')}) VALUES ?`,
      [rows],
    );
  }
}

/** A ceiling server's pool, configured as the app's TypeORM pool (DATABASE_URL, DB_POOL_SIZE). */
export function ceilingPool() {
  return mysql.createPool({
    uri: process.env.DATABASE_URL,
    connectionLimit: Number(process.env.DB_POOL_SIZE ?? 10),
    supportBigNumbers: true,
    bigNumberStrings: false,
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    trace: false,
  });
}

/** The app's environment for a bench run (production, quiet logs, no scheduler), plus `extra`. */
export function appEnv(extra) {
  return {
    NODE_ENV: 'production',
    DATABASE_URL,
    REDIS_URL,
    REDIS_KEY_PREFIX: APP_REDIS_PREFIX,
    // Read by the ceiling servers (and by the kit in them): same bench, same names.
    BENCH_NAME,
    MU_KEY: `bench-${randomUUID()}`,
    JWT_SECRET: `bench-${randomUUID()}-${randomUUID()}`,
    LOG_LEVEL: 'warn',
    SCHEDULER_ENABLED: 'false',
    // The app's pool and, through the same variable, the ceiling's (BENCH_DB_POOL_SIZE to compare).
    DB_POOL_SIZE: process.env.BENCH_DB_POOL_SIZE ?? '10',
    ...extra,
  };
}

/**
 * The app's node list cache (NodeCacheService) as both node ceilings keep it (`/mod_mu` and
 * UniProxy): `node-users:<dialect>:<id>:head` holds the ETag as plain text, `:body`
 * `<etag>\n<body>` (it outlives the head by 5 s; the app's encodeHead / encodeBody), a process memo
 * holds the body's bytes, and one build at a time runs per node.
 */
export function nodeListCache(redis, dialect, ttlMs = 60_000) {
  const memo = new Map();
  const building = new Map();
  const key = (nodeId, part) => `node-users:${dialect}:${nodeId}:${part}`;
  return {
    /** The cached ETag, or null once the head has expired. */
    async headEtag(nodeId) {
      return (await redis.get(key(nodeId, 'head'))) || null;
    },
    /** The body cached under `etag` (memo first, then Redis), or null. */
    async body(nodeId, etag) {
      const local = memo.get(nodeId);
      if (local?.etag === etag) return local;
      const stored = await redis.get(key(nodeId, 'body'));
      const cut = stored ? stored.indexOf('\n') : -1;
      if (cut < 0 || stored.slice(0, cut) !== etag) return null;
      const entry = { etag, body: Buffer.from(stored.slice(cut + 1)) };
      memo.set(nodeId, entry);
      return entry;
    },
    /** Stores a freshly built body under its ETag, as a cache fill does. */
    async store(nodeId, etag, body) {
      await redis.set(
        key(nodeId, 'body'),
        `${etag}\n${body}`,
        'PX',
        ttlMs + 5000,
      );
      await redis.set(key(nodeId, 'head'), etag, 'PX', ttlMs);
      const entry = { etag, body: Buffer.from(body) };
      memo.set(nodeId, entry);
      return entry;
    },
    /** `build(nodeId)` once at a time per node: concurrent misses share one build. */
    buildOnce(nodeId, build) {
      let p = building.get(nodeId);
      if (!p) {
        p = build(nodeId).finally(() => building.delete(nodeId));
        building.set(nodeId, p);
      }
      return p;
    },
  };
}
