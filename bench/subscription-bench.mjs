/**
 * `npm run bench:sub`: subscription fetches at 100,000 users and 200 nodes against a bare
 * node:http + mysql2 ceiling producing the same bytes (bench/subscription-ceiling-server.mjs).
 *
 * 1. (Re)creates the database of DATABASE_URL (default mysql://root@127.0.0.1:3306/panel_bench_subscription),
 *    applies the real migrations, seeds 200 nodes of mixed protocols over classes and groups,
 *    and 10,000 users, each with a subscription token (`link`, type 11).
 * 2. 10,000 users: the app (bench/.build, built by `prebench:sub`) alone, under the same load as
 *    below; its peak RSS.
 * 3. 90,000 more users. The app and the ceiling side by side: the bodies and headers of both
 *    compared for every format over a sample of tokens, then per format (v2ray, clash, singbox)
 *    a cold scenario (every request a token not fetched before: a cache miss, the body built and
 *    stored) and a warm one (random tokens of 300 users already fetched: cache hits), alternating
 *    app and ceiling; the app's peak RSS.
 * 4. Writes the "Subscriptions" section of bench/RESULTS.md, drops the database and the keys.
 *
 * With BENCH_BASE_MAIN=<another build's main.js> that build runs as a third server ("base") in
 * every scenario, for before/after figures against the same ceiling in the same run.
 *
 * Not part of `npm test`. About 5 minutes.
 */
import { randomBytes } from 'node:crypto';
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
  dbName,
  dropDatabase,
  DURATION_S,
  fmtRps,
  GB,
  insertUsers,
  log,
  machineNote,
  memoryOf,
  recreateDatabase,
  REDIS_URL,
  requireMysql,
  ROUNDS,
  run,
  scenario,
  seedDates,
  startServer,
  WARMUP_S,
  writeSection,
} from './bench-kit.mjs';

const USERS = 100_000;
const SMALL = 10_000;
const NODES = 200;
const HOT = 300;
const FORMATS = ['v2ray', 'clash', 'singbox'];
/** Compared byte for byte before the runs (all five formats). */
const CHECKED_FORMATS = [...FORMATS, 'sip008', 'v2ray-json'];
const MB = 1024 * 1024;

requireMysql('bench:sub');

/** A small deterministic PRNG (mulberry32): the same token sequence for app and ceiling. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a node of each protocol looks like in an adopted SSPanel-UIM table. */
const REALITY = {
  'public-key': 'Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw',
  'short-id': '6ba85179e30d4fc2',
  server_names: ['www.microsoft.com'],
  private_key: 'bench-secret',
};
const PROTOCOLS = [
  ['ss', 0, () => ({ offset_port_user: '8388', offset_port_node: '18388' })],
  [
    'ss2022',
    1,
    (n) => ({
      offset_port_user: 8389,
      method: '2022-blake3-aes-128-gcm',
      server_key: Buffer.from(`bench-key-${String(n).padStart(6, '0')}`)
        .subarray(0, 16)
        .toString('base64'),
    }),
  ],
  [
    'vmess ws/tls',
    11,
    (n) => ({
      offset_port_user: '443',
      offset_port_node: '10086',
      network: 'ws',
      security: 'tls',
      path: `ws${n}`,
      host: `cdn${n}.bench.local`,
    }),
  ],
  [
    'vless reality',
    11,
    () => ({
      enable_vless: '1',
      offset_port_user: '443',
      network: 'tcp',
      security: 'reality',
      flow: 'xtls-rprx-vision',
      'reality-opts': REALITY,
    }),
  ],
  ['trojan', 14, () => ({ offset_port_user: '443', allow_insecure: '0' })],
  [
    'hysteria2',
    15,
    () => ({
      hysteria2: {
        finalmask: {
          udp: [{ type: 'salamander', settings: { password: 'obfspass' } }],
        },
      },
    }),
  ],
  ['tuic', 2, () => ({ offset_port_user: '8443' })],
];

/**
 * 200 nodes, the protocols in turn; node class 0–3 and group 0 (everyone) for 2 in 5, else
 * 1–4; some with a traffic rate ≠ 1 (a name suffix); 1 in 25 disabled (type 0).
 */
async function seedNodes(db) {
  const rows = [];
  for (let n = 1; n <= NODES; n++) {
    const [, sort, config] = PROTOCOLS[n % PROTOCOLS.length];
    rows.push([
      `node ${n}`,
      n % 25 === 0 ? 0 : 1,
      `n${n}.bench.local`,
      'aes-256-gcm',
      '',
      '',
      sort,
      n % 6 === 0 ? 1.5 : 1,
      n % 4,
      n % 5 < 2 ? 0 : (n % 4) + 1,
      0,
      0,
      JSON.stringify(config(n)),
    ]);
  }
  await db.query(
    'INSERT INTO `ss_node` (`name`, `type`, `server`, `method`, `info`, `status`, `sort`, `traffic_rate`, `node_class`, `node_group`, `node_bandwidth`, `node_bandwidth_limit`, `custom_config`) VALUES ?',
    [rows],
  );
}

/**
 * Users `first`..`last`, each with a token: class 0–3, group 1–4 (so users see different
 * subsets of the nodes); 1 in 20 disabled, 1 in 33 expired, 1 in 50 over quota, 1 in 41 with
 * an expired level (each of those gets a placeholder entry).
 */
async function seedUsers(db, first, last) {
  const dates = seedDates();
  await insertUsers(db, first, last, dates, (i) => ({
    class: (i * 7) % 4,
    node_group: ((i * 13) % 4) + 1,
    enable: i % 20 === 3 ? 0 : 1,
    expire_in: i % 33 === 5 ? dates.past : dates.future,
    class_expire: i % 41 === 9 ? dates.past : dates.future,
    transfer_enable: i % 50 === 11 ? GB / 1024 : 100 * GB,
  }));
  const tokens = [];
  const BATCH = 5000;
  for (let start = first; start <= last; start += BATCH) {
    const rows = [];
    for (let i = start; i < start + BATCH && i <= last; i++) {
      const token = randomBytes(18).toString('base64url');
      tokens.push(token);
      rows.push([11, '', 0, token, 0, i, null, 0, null]);
    }
    await db.query(
      'INSERT INTO `link` (`type`, `address`, `port`, `token`, `ios`, `userid`, `isp`, `geo`, `method`) VALUES ?',
      [rows],
    );
  }
  return tokens;
}

/** Shuffled in place with `random`. */
function shuffle(list, random) {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

/**
 * The autocannon options of one scenario for one target. Cold: a walk over the shuffled tokens
 * that continues across rounds (per target and format, the same order for every target), so no
 * token repeats until the list is exhausted. Warm: random tokens of the hot set, the same
 * sequence for every target.
 */
function requestsFor(kind, format, tokens, hot) {
  const cursors = new Map();
  return (target) => {
    let pick;
    if (kind === 'cold') {
      const cursor = cursors.get(target.name) ?? { at: 0 };
      cursors.set(target.name, cursor);
      pick = () => tokens[cursor.at++ % tokens.length];
    } else {
      const random = prng(format.length * 7919);
      pick = () => hot[Math.floor(random() * hot.length)];
    }
    return {
      requests: [
        {
          setupRequest: (req) => ({ ...req, path: `/sub/${pick()}/${format}` }),
        },
      ],
    };
  };
}

const scenarioList = (tokens, hot) =>
  FORMATS.flatMap((format) =>
    ['cold', 'warm'].map((kind) => [
      `${format}, ${kind}`,
      requestsFor(kind, format, tokens, hot),
    ]),
  );

/** Headers that differ between any two responses (time, ids, the rate-limit window). */
const VOLATILE = new Set([
  'date',
  'x-request-id',
  'x-ratelimit-remaining-subscription',
  'x-ratelimit-reset-subscription',
  'connection',
  'keep-alive',
]);

/** Fails unless app and ceiling send the same bytes and headers for these tokens. */
async function compareOutputs([app, ceiling], tokens) {
  let bytes = 0;
  let checked = 0;
  for (const token of tokens)
    for (const format of CHECKED_FORMATS) {
      const path = `/sub/${token}/${format}`;
      const [a, c] = await Promise.all(
        [app, ceiling].map((t) => fetch(`${t.url}${path}`)),
      );
      const [ab, cb] = await Promise.all([a.arrayBuffer(), c.arrayBuffer()]);
      if (a.status !== 200 || c.status !== 200)
        throw new Error(`${path}: status ${a.status} vs ${c.status}`);
      if (!Buffer.from(ab).equals(Buffer.from(cb)))
        throw new Error(`${path}: the ceiling's body differs from the app's`);
      const headers = (r) =>
        JSON.stringify([...r.headers].filter(([k]) => !VOLATILE.has(k)).sort());
      if (headers(a) !== headers(c))
        throw new Error(
          `${path}: headers differ\n app     ${headers(a)}\n ceiling ${headers(c)}`,
        );
      bytes += ab.byteLength;
      checked++;
    }
  return { checked, bytes };
}

/** Body sizes and entry counts of the hot set, per format (from the app). */
async function bodySizes(app, hot) {
  const sizes = {};
  for (const format of FORMATS) {
    const lengths = [];
    for (const token of hot.slice(0, 100)) {
      const r = await fetch(`${app.url}/sub/${token}/${format}`);
      lengths.push((await r.arrayBuffer()).byteLength);
    }
    lengths.sort((x, y) => x - y);
    sizes[format] = {
      median: lengths[lengths.length >> 1],
      max: lengths[lengths.length - 1],
    };
  }
  return sizes;
}

/** Fetches every hot token in every format once, a few at a time (fills the body cache). */
async function prime(target, hot) {
  const work = hot.flatMap((token) =>
    FORMATS.map((f) => `${target.url}/sub/${token}/${f}`),
  );
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < work.length)
        await (await fetch(work[next++])).arrayBuffer();
    }),
  );
}

/** Entries per user, from the database: what the users see. */
async function visibleNodes(db) {
  const [[r]] = await db.query(
    'SELECT AVG(c) AS avg, MIN(c) AS min, MAX(c) AS max FROM (SELECT u.id, COUNT(n.id) AS c ' +
      'FROM `user` u JOIN `ss_node` n ON n.type = 1 AND n.node_class <= u.class ' +
      'AND (n.node_group = 0 OR n.node_group = u.node_group) GROUP BY u.id) t',
  );
  return { avg: Number(r.avg), min: Number(r.min), max: Number(r.max) };
}

async function main() {
  const started = new Date();
  const load0 = os.loadavg();
  const only = process.env.BENCH_ONLY;
  const skipSmall = process.env.BENCH_SKIP_10K === '1';
  log(`database ${dbName}: recreate, migrate, seed ${NODES} nodes`);
  await recreateDatabase();
  const env = appEnv({
    // The per-token budget stays on (one Redis round trip each), out of the way of the load.
    THROTTLE_SUB_LIMIT: '1000000000',
    PUBLIC_URL: 'https://panel.bench.local',
    SITE_NAME: 'Bench Panel',
  });
  await run('node', ['bench/.build/cli/migrate.js'], env);
  const db = await mysql.createConnection({ uri: DATABASE_URL, timezone: 'Z' });
  const redis = new Redis(REDIS_URL);
  const clearRedis = () =>
    clearRedisPrefixes(redis, [APP_REDIS_PREFIX, CEILING_REDIS_PREFIX]);
  await clearRedis();
  const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? '')
    .split(' ')
    .filter(Boolean);
  // Another build and its ceiling (e.g. an earlier commit's, for before/after runs).
  const appArgs = [
    ...nodeArgs,
    process.env.BENCH_APP_MAIN ?? 'bench/.build/main.js',
  ];
  const ceilingArgs = [
    ...(process.env.BENCH_CEILING_NODE_ARGS ?? '').split(' ').filter(Boolean),
    process.env.BENCH_CEILING_SCRIPT ?? 'bench/subscription-ceiling-server.mjs',
  ];
  const servers = [];
  const stopAll = () => servers.splice(0).forEach((s) => s.stop());
  const memory = {};
  try {
    await seedNodes(db);
    let t0 = Date.now();
    const tokens = await seedUsers(db, 1, SMALL);
    log(`seeded ${SMALL} users in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const random = prng(12_345);
    const hot = shuffle([...tokens], random).slice(0, HOT);

    const wanted = scenarioList(shuffle([...tokens], prng(1)), hot).filter(
      ([name]) => !only || name.includes(only),
    );
    if (!skipSmall) {
      const app = await startServer('app', appArgs, env);
      servers.push(app);
      await prime(app, hot);
      for (const [name, opts] of wanted)
        await scenario(`${SMALL} users, ${name}`, [app], opts);
      memory.small = memoryOf(app.child.pid);
      log(
        `app at ${SMALL} users: peak RSS ${(memory.small.peakRss / MB).toFixed(0)} MB`,
      );
      stopAll();
      await new Promise((r) => setTimeout(r, 500));
      await clearRedis();
    }

    t0 = Date.now();
    tokens.push(...(await seedUsers(db, SMALL + 1, USERS)));
    log(
      `seeded ${USERS - SMALL} more users in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    const visible = await visibleNodes(db);
    log(
      `nodes visible per user: avg ${visible.avg.toFixed(1)}, min ${visible.min}, max ${visible.max}`,
    );
    const started2 = (name, args) =>
      startServer(name, args, env).then((s) => (servers.push(s), s));
    const targets = await Promise.all([
      started2('app', appArgs),
      started2('ceiling', ceilingArgs),
    ]);
    // BENCH_BASE_MAIN: another build's main.js measured alongside (before/after in one run),
    // on its own Redis prefix so that it never hits the app's cached bodies.
    const base = process.env.BENCH_BASE_MAIN
      ? await startServer('base', [...nodeArgs, process.env.BENCH_BASE_MAIN], {
          ...env,
          REDIS_KEY_PREFIX: `${APP_REDIS_PREFIX}base:`,
        }).then((s) => (servers.push(s), s))
      : null;
    // A sample over every account state (disabled, expired, over quota, level expired, active).
    const sample = [3, 5, 9, 11, 1, 2, 4, 6, 7, 8].map((i) => tokens[i - 1]);
    const compared = await compareOutputs(targets, sample);
    log(
      `app and ceiling send the same bytes and headers: ${compared.checked} responses, ${compared.bytes} bytes`,
    );
    const sizes = await bodySizes(targets[0], hot);
    const measured = base ? [...targets, base] : targets;
    await Promise.all(measured.map((t) => prime(t, hot)));
    const cold = shuffle([...tokens], prng(2));
    const results = {};
    for (const [name, opts] of scenarioList(cold, hot)) {
      if (only && !name.includes(only)) continue;
      results[name] = await scenario(name, measured, opts);
    }
    memory.large = memoryOf(targets[0].child.pid);
    log(
      `app at ${USERS} users: peak RSS ${(memory.large.peakRss / MB).toFixed(0)} MB`,
    );
    if (!only && !skipSmall)
      writeResults({
        started,
        results,
        memory,
        visible,
        sizes,
        compared,
        machine: await machineNote(load0),
      });
  } finally {
    stopAll();
    await db.end();
    await new Promise((r) => setTimeout(r, 500));
    await clearRedis();
    await redis.quit();
    if (!process.env.BENCH_KEEP_DB) await dropDatabase();
  }
}

const GOAL_RATIO = 0.8;
const GOAL_P99_MS = 50;
/** Peak RSS at 100,000 users at most this much above 10,000 users' ("flat"). */
const GOAL_MEMORY_GROWTH = 1.2;

function writeResults({
  started,
  results,
  memory,
  visible,
  sizes,
  compared,
  machine,
}) {
  const ratio = (r) => r.app.rps / r.ceiling.rps;
  const yes = (ok) => (ok ? 'yes' : '**no**');
  const names = Object.keys(results);
  const worstRatio = Math.min(...names.map((n) => ratio(results[n])));
  const worstRatioName = names.find((n) => ratio(results[n]) === worstRatio);
  const worstP99 = Math.max(...names.map((n) => results[n].app.p99));
  const growth = memory.large.peakRss / memory.small.peakRss;
  const mb = (b) => `${(b / MB).toFixed(0)} MB`;
  const rows = names.map((name) => {
    const r = results[name];
    return `| ${name} | ${fmtRps(r.app.rps)} (${r.app.rounds.join(', ')}) | ${r.app.p50} | ${r.app.p99} | ${fmtRps(r.ceiling.rps)} (${r.ceiling.rounds.join(', ')}) | ${r.ceiling.p50} | ${r.ceiling.p99} | ${ratio(r).toFixed(2)} | ${r.app.bad + r.ceiling.bad} |`;
  });
  const kb = (b) => `${(b / 1024).toFixed(1)} KiB`;
  const md = `<!-- subscription-bench:start -->
## Subscriptions

This section is generated by \`npm run bench:sub\` (bench/subscription-bench.mjs), last on ${started.toISOString()}; see bench/README.md for the profile notes.

### Goals

| goal | measured | target | met |
|---|---|---|---|
| every scenario: app ≥ ${GOAL_RATIO} × ceiling req/s | ${worstRatio.toFixed(2)}× (worst: ${worstRatioName}) | ${GOAL_RATIO}× | ${yes(worstRatio >= GOAL_RATIO)} |
| every scenario: app p99 < ${GOAL_P99_MS} ms at ${CONNECTIONS} connections | ${worstP99} ms (worst) | ${GOAL_P99_MS} ms | ${yes(worstP99 < GOAL_P99_MS)} |
| memory flat: app peak RSS at ${USERS.toLocaleString('en-US')} users ≤ ${GOAL_MEMORY_GROWTH} × at ${SMALL.toLocaleString('en-US')} | ${mb(memory.large.peakRss)} vs ${mb(memory.small.peakRss)} = ${growth.toFixed(2)}× | ${GOAL_MEMORY_GROWTH}× | ${yes(growth <= GOAL_MEMORY_GROWTH)} |

### Figures

${USERS.toLocaleString('en-US')} users, ${NODES} nodes, ${CONNECTIONS} connections, \`GET /sub/:token/:format\`; per scenario ${ROUNDS} rounds
alternating app and ceiling, each run ${DURATION_S} s after a ${WARMUP_S} s warm-up. Requests/s are autocannon's per-second
averages, averaged over the rounds (each round in brackets); p50/p99 latencies in ms are the worst
round's. "bad" counts non-200 responses, errors and timeouts (should be 0).

| scenario | app req/s | app p50 | app p99 | ceiling req/s | ceiling p50 | ceiling p99 | app / ceiling | bad |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Memory (the app, \`VmHWM\` / \`VmRSS\` of its process after all its runs): ${SMALL.toLocaleString('en-US')} users ${mb(memory.small.peakRss)} peak / ${mb(memory.small.rss)} at the end;
${USERS.toLocaleString('en-US')} users ${mb(memory.large.peakRss)} peak / ${mb(memory.large.rss)} at the end. The ${SMALL.toLocaleString('en-US')}-user run is the app alone under the
same scenarios (cold walks wrap around its ${SMALL.toLocaleString('en-US')} tokens), before the other users are added.

### What was measured

- **Database**: ${USERS.toLocaleString('en-US')} users, each with a subscription token (\`link\`, type 11); class 0–3, group
  1–4; 1 in 20 disabled, 1 in 33 expired, 1 in 41 with an expired level, 1 in 50 over quota (those
  get the one placeholder entry). ${NODES} nodes, the protocols in turn: Shadowsocks (single port, the
  user's method), Shadowsocks 2022 (aes-128, server key), VMess ws+TLS, VLESS Reality Vision,
  Trojan, Hysteria2 (salamander), TUIC v5; node class 0–3, group 0 (all) for 2 in 5 else 1–4, a
  sixth at rate 1.5, 1 in 25 disabled. A user sees ${visible.min}–${visible.max} nodes (${visible.avg.toFixed(1)} on average).
  Bodies (median / max over 100 users): ${FORMATS.map((f) => `${f} ${kb(sizes[f].median)} / ${kb(sizes[f].max)}`).join(', ')}.
- **App**: the built Nest app (\`node bench/.build/main.js\`, NODE_ENV=production, LOG_LEVEL=warn, so no
  access or fetch log line per request), MariaDB pool of 10, Redis cache; the per-token rate limit on
  (one Redis round trip per request) with a limit the load never reaches.
- **Ceiling**: \`bench/subscription-ceiling-server.mjs\`, bare \`node:http\` + \`mysql2\` + \`ioredis\` doing the
  app's work per request: helmet's headers, the per-token rate limit (the app's own
  \`RedisThrottlerStorage\`, same key and headers), token → user (cached owner in Redis, the user row
  joined to the token row), the fetch counters (one Redis pipeline) and the \`rss_count\` update, the
  catalog's shared generation and the body cache's two in one MGET, the body cache (one GET; on a
  miss the body built and SET), and the same headers. It renders with the app's own compiled code
  (\`readNodeProtocol\`, \`accountState\`, \`buildEntries\`, the placeholders and \`RENDERERS\` from
  bench/.build). Checked before the runs: ${compared.checked} responses (10 users across every account state ×
  all five formats, ${kb(compared.bytes)}) have the same bytes and the same headers from both (except date, request
  id and the rate-limit counters). **What it caches is what the app caches**: the parsed node catalog
  in process (30 s, generation checked per request), token → user and the rendered body per (user,
  format) in Redis; nothing else.
- **cold**: every request a token not fetched before by that server in that format (a walk over the
  shuffled ${USERS.toLocaleString('en-US')} tokens, the same order for both): a body cache miss, so the body is rendered and
  stored. What a fleet of clients refreshing once a day looks like.
- **warm**: random tokens from ${HOT.toLocaleString('en-US')} users whose bodies were fetched before (the same sequence for
  both): body cache hits, no rendering.

${machine}
<!-- subscription-bench:end -->`;
  writeSection('subscription-bench', md);
  log('wrote the "Subscriptions" section of bench/RESULTS.md');
  log(
    `${worstRatio >= GOAL_RATIO ? 'OK  ' : 'MISS'} worst ratio ${worstRatio.toFixed(2)}× (${worstRatioName})`,
  );
  log(`${worstP99 < GOAL_P99_MS ? 'OK  ' : 'MISS'} worst p99 ${worstP99} ms`);
  log(
    `${growth <= GOAL_MEMORY_GROWTH ? 'OK  ' : 'MISS'} memory ${growth.toFixed(2)}×`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
