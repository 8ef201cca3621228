/**
 * `npm run bench:money`: the money paths against a bare node:http + mysql2 ceiling
 * (bench/money-ceiling-server.mjs) doing the same transactions.
 *
 * 1. (Re)creates the MariaDB/MySQL database of DATABASE_URL (default
 *    mysql://root@127.0.0.1:3306/panel_bench_money), applies the real migrations and fills it:
 *    inviters, one payer per order (every second one invited), buyers with a balance (and its ledger row), one
 *    plan, a few nodes, and BENCH_MONEY_ORDERS unpaid epay orders (with their checkout) per server.
 * 2. Starts the app built by `prebench:money` into bench/.build (epay configured with a bench
 *    key) and the ceiling, both on that database and REDIS_URL.
 * 3. Signed epay notifies, each for an order not notified before (GET and POST form in turn),
 *    then purchases by 50 concurrent buyers (one buyer per connection, JWTs minted beforehand),
 *    rounds alternating app and ceiling.
 * 4. Checks what every server wrote: each acknowledged notify's order paid and credited exactly
 *    once, each purchase debited once, and the ledger check over the whole database.
 * 5. Writes bench/RESULTS.md ("Money paths"), then drops the database and the Redis keys.
 *
 * Not part of `npm test`. About 2–3 minutes.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Redis } from 'ioredis';
import jwt from 'jsonwebtoken';
import mysql from 'mysql2/promise';
import {
  APP_REDIS_PREFIX,
  appEnv,
  CEILING_REDIS_PREFIX,
  clearRedisPrefixes,
  DATABASE_URL,
  dbName,
  dropDatabase,
  BENCH_PASS_HASH,
  insertUsers,
  log,
  machineNote,
  recreateDatabase,
  REDIS_URL,
  requireMysql,
  ROOT,
  run,
  scenario,
  seedDates,
  startServer,
} from './bench-kit.mjs';
import { epaySign } from './.build/modules/payment/gateways/epay-sign.js';
import { accountStamp } from './.build/modules/auth/auth-token.service.js';
import { writeMoneyResults } from './money-results.mjs';

requireMysql('bench:money');

const ORDERS = Number(process.env.BENCH_MONEY_ORDERS ?? 40_000);
const INVITERS = 200;
/** One payer per order, each server its own: every order does the same work on either server. */
const PAYERS = ORDERS;
const BUYERS = 50;
const BUYER_MONEY = '100000.00';
const ORDER_TOTAL = '10.00';
const PLAN_PRICE = '1.00';
const NODES = 8;
const EPAY = {
  url: 'http://127.0.0.1:9',
  pid: '1001',
  key: `bench-${randomUUID()}`,
};
const NOTIFY_PATH = '/app/api/v0/payment/notify/epay';
const BUY_PATH = '/app/api/v0/user/buy';
const TARGETS = ['app', 'ceiling'];
/** The payer of order k of server t (the inviters first, then each server's payers). */
const payerOf = (t, k) => INVITERS + 1 + TARGETS.indexOf(t) * PAYERS + k;
/** First user id of each server's buyers (after the inviters and payers). */
const buyersFrom = (t) =>
  INVITERS + TARGETS.length * PAYERS + 1 + TARGETS.indexOf(t) * BUYERS;
const tradeno = (t, k) => `bench-${t}-${k}`;

async function seed() {
  const db = await mysql.createConnection({ uri: DATABASE_URL, timezone: 'Z' });
  const dates = seedDates();
  const now = Math.floor(Date.now() / 1000);
  const users = INVITERS + TARGETS.length * (PAYERS + BUYERS);
  await insertUsers(db, 1, users, dates, (i) => ({
    money: i >= buyersFrom('app') ? BUYER_MONEY : '0.00',
    class: 1,
  }));
  // Every second payer was invited: their first top-up pays a commission in the same transaction.
  await db.query(
    'UPDATE `user` SET `ref_by` = 1 + (`id` % ?) WHERE `id` > ? AND `id` <= ? AND `id` % 2 = 0',
    [INVITERS, INVITERS, INVITERS + TARGETS.length * PAYERS],
  );
  // The buyers' balance came in through the ledger like any other (the ledger check reads it).
  await db.query(
    'INSERT INTO `user_money_log` (`user_id`, `before`, `after`, `amount`, `reason`, `ref_type`, `ref_id`, `note`, `created_at`) SELECT `id`, 0, `money`, `money`, ?, NULL, NULL, ?, ? FROM `user` WHERE `money` > 0',
    ['admin', 'bench seed', now],
  );
  await db.query(
    'INSERT INTO `shop` (`name`, `price`, `content`, `auto_renew`, `auto_reset_bandwidth`, `status`) VALUES (?, ?, ?, 0, 0, 1)',
    [
      'Bench plan',
      PLAN_PRICE,
      JSON.stringify({ traffic: 10, class: 1, class_expire: 1, expire_in: 1 }),
    ],
  );
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
      0,
      '{}',
    ]);
  await db.query(
    'INSERT INTO `ss_node` (`name`, `type`, `server`, `method`, `info`, `status`, `sort`, `traffic_rate`, `node_class`, `node_group`, `custom_config`) VALUES ?',
    [nodes],
  );
  for (const t of TARGETS)
    for (let start = 0; start < ORDERS; start += 5000) {
      const rows = [];
      for (let k = start; k < Math.min(ORDERS, start + 5000); k++)
        rows.push([payerOf(t, k), ORDER_TOTAL, 0, tradeno(t, k), now, 'epay']);
      await db.query(
        'INSERT INTO `paylist` (`userid`, `total`, `status`, `tradeno`, `datetime`, `gateway`) VALUES ?',
        [rows],
      );
    }
  // What the app's checkout route stores for an epay order (its currency decides the check).
  await db.query(
    "INSERT INTO `payment_checkout` (`paylist_id`, `gateway`, `currency`, `ref`, `pay_url`, `qr_code`, `created_at`) SELECT `id`, `gateway`, 'CNY', NULL, ?, NULL, `datetime` FROM `paylist`",
    [`${EPAY.url}/submit.php`],
  );
  await db.end();
  return { users };
}

/** The epay notify for order k of server t, as the aggregator signs it. */
function notifyParams(t, k) {
  const params = {
    pid: EPAY.pid,
    trade_no: `EP${t}${k}`,
    out_trade_no: tradeno(t, k),
    type: 'alipay',
    name: `Top-up ${ORDER_TOTAL}`,
    money: ORDER_TOTAL,
    trade_status: 'TRADE_SUCCESS',
  };
  return new URLSearchParams({
    ...params,
    sign: epaySign(params, EPAY.key),
    sign_type: 'MD5',
  }).toString();
}

/**
 * Notifies for distinct orders, GET and POST form in turn; `acked` collects the orders answered
 * 200 `success`, `sent` counts them all (warm-up included).
 */
function notifyRequests(t, state) {
  return {
    requests: [
      {
        setupRequest: (req, context) => {
          const k = state.sent++;
          if (k >= ORDERS) state.exhausted++;
          context.k = k % ORDERS;
          const query = notifyParams(t, context.k);
          return k % 2 === 0
            ? { ...req, method: 'GET', path: `${NOTIFY_PATH}?${query}` }
            : {
                ...req,
                method: 'POST',
                path: NOTIFY_PATH,
                headers: {
                  'content-type': 'application/x-www-form-urlencoded',
                },
                body: query,
              };
        },
        onResponse: (status, body, context) => {
          if (status === 200 && String(body) === 'success')
            state.acked.add(context.k);
        },
      },
    ],
  };
}

/** One buyer per connection (setupClient runs once per connection), `shop_id` 1 each time. */
function buyRequests(tokens, state) {
  let next = 0;
  return {
    connections: BUYERS,
    setupClient: (client) => {
      const token = tokens[next++ % tokens.length];
      client.setHeaders({
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
      });
    },
    requests: [
      {
        method: 'POST',
        path: BUY_PATH,
        body: '{"shop_id":1}',
        onResponse: (status) => {
          if (status === 200) state.acked++;
        },
      },
    ],
  };
}

/** What each server wrote, checked against what it acknowledged. */
async function verify(db, notify, buys) {
  const out = {};
  for (const t of TARGETS) {
    const [[paid]] = await db.query(
      'SELECT COUNT(*) AS n FROM `paylist` WHERE `tradeno` LIKE ? AND `status` = 1',
      [`bench-${t}-%`],
    );
    const [[logs]] = await db.query(
      "SELECT COUNT(*) AS rows_, COUNT(DISTINCT p.`id`) AS orders, SUM(l.`amount` <> p.`total`) AS wrong FROM `user_money_log` l JOIN `paylist` p ON l.`ref_type` = 'paylist' AND l.`ref_id` = p.`id` WHERE p.`tradeno` LIKE ?",
      [`bench-${t}-%`],
    );
    const [[credited]] = await db.query(
      "SELECT COUNT(*) AS n FROM `payment_callback` WHERE `tradeno` LIKE ? AND `outcome` = 'credited'",
      [`bench-${t}-%`],
    );
    const [[payouts]] = await db.query(
      'SELECT COUNT(*) AS n FROM `payback` b JOIN `paylist` p ON p.`id` = b.`paylist_id` WHERE p.`tradeno` LIKE ?',
      [`bench-${t}-%`],
    );
    const ackedKs = [...notify[t].acked];
    let ackedUnpaid = 0;
    for (let i = 0; i < ackedKs.length; i += 5000) {
      const names = ackedKs.slice(i, i + 5000).map((k) => tradeno(t, k));
      const [[r]] = await db.query(
        'SELECT COUNT(*) AS n FROM `paylist` WHERE `tradeno` IN (?) AND `status` = 1',
        [names],
      );
      ackedUnpaid += names.length - Number(r.n);
    }
    const from = buyersFrom(t);
    const [[bought]] = await db.query(
      'SELECT COUNT(*) AS n FROM `bought` WHERE `userid` >= ? AND `userid` < ?',
      [from, from + BUYERS],
    );
    const [[debits]] = await db.query(
      "SELECT COUNT(*) AS n FROM `user_money_log` WHERE `reason` = 'purchase' AND `user_id` >= ? AND `user_id` < ?",
      [from, from + BUYERS],
    );
    const [[wrongBalances]] = await db.query(
      'SELECT COUNT(*) AS n FROM `user` u WHERE u.`id` >= ? AND u.`id` < ? AND u.`money` <> ? - ? * (SELECT COUNT(*) FROM `bought` b WHERE b.`userid` = u.`id`)',
      [from, from + BUYERS, BUYER_MONEY, PLAN_PRICE],
    );
    const n = (x) => Number(x ?? 0);
    const notifyBad =
      ackedUnpaid +
      Math.abs(n(logs.rows_) - n(paid.n)) +
      (n(logs.rows_) - n(logs.orders)) +
      n(logs.wrong) +
      Math.abs(n(credited.n) - n(paid.n)) +
      notify[t].exhausted;
    const buyBad =
      Math.max(0, buys[t].acked - n(bought.n)) +
      Math.abs(n(debits.n) - n(bought.n)) +
      n(wrongBalances.n);
    out[t] = {
      sent: notify[t].sent,
      acked: notify[t].acked.size,
      paid: n(paid.n),
      topupRows: n(logs.rows_),
      commissions: n(payouts.n),
      exhausted: notify[t].exhausted,
      notifyBad,
      buysAcked: buys[t].acked,
      bought: n(bought.n),
      debits: n(debits.n),
      buyBad,
    };
    log(`${t}: ${JSON.stringify(out[t])}`);
  }
  return out;
}

/** The app's own ledger check (`ledger:check`) over the whole database: problem count. */
function ledgerCheck(env) {
  return new Promise((resolve, reject) => {
    const child = spawn('node', ['bench/.build/cli/ledger-check.js'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (c) => (text += c));
    child.stderr.on('data', (c) => (text += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      const problems = Number(/ledger: (\d+) problem/.exec(text)?.[1] ?? 0);
      if (code === 0) resolve({ problems: 0, text });
      else if (problems > 0) resolve({ problems, text });
      else reject(new Error(`ledger check failed (${code}): ${text}`));
    });
  });
}

/** One purchase and one notify on each server first: same answers, or it throws. */
async function probe(servers, tokens, notifyState) {
  const shapes = [];
  for (const s of servers) {
    const buy = await fetch(`${s.url}${BUY_PATH}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${tokens[s.name][0]}`,
      },
      body: '{"shop_id":1}',
    });
    const body = await buy.json();
    const k = notifyState[s.name].sent++;
    const paid = await fetch(
      `${s.url}${NOTIFY_PATH}?${notifyParams(s.name, k)}`,
    );
    const text = await paid.text();
    if (paid.status === 200 && text === 'success')
      notifyState[s.name].acked.add(k);
    shapes.push({
      buy: buy.status,
      ret: body.ret,
      msg: body.msg,
      keys: Object.entries(body.data ?? {})
        .map(([key, v]) => `${key}:${typeof v}`)
        .join(','),
      notify: `${paid.status} ${text}`,
    });
  }
  const [a, b] = shapes.map((x) => JSON.stringify(x));
  if (a !== b)
    throw new Error(`the ceiling does not answer as the app: ${a} vs ${b}`);
  log(`probe: ${a}`);
}

async function main() {
  const started = new Date();
  const load0 = os.loadavg();
  log(
    `database ${dbName}: recreate, migrate, seed (${ORDERS} orders per server)`,
  );
  await recreateDatabase();
  const env = appEnv({
    EPAY_URL: EPAY.url,
    EPAY_PID: EPAY.pid,
    EPAY_KEY: EPAY.key,
    PAYBACK_RATES: '0.2',
    PAYBACK_MAX_TIMES: '1',
  });
  await run('node', ['bench/.build/cli/migrate.js'], env);
  const t0 = Date.now();
  const { users } = await seed();
  log(
    `seeded ${users} users, ${ORDERS * TARGETS.length} orders in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );

  const redis = new Redis(REDIS_URL);
  const clearRedis = () =>
    clearRedisPrefixes(redis, [APP_REDIS_PREFIX, CEILING_REDIS_PREFIX]);
  await clearRedis();
  const tokens = Object.fromEntries(
    TARGETS.map((t) => [
      t,
      Array.from({ length: BUYERS }, (_, i) =>
        jwt.sign(
          {
            sub: String(buyersFrom(t) + i),
            // The app's token stamp (password hash + service state) for a seeded, enabled user.
            pws: accountStamp(env.JWT_SECRET, {
              pass: BENCH_PASS_HASH,
              enable: 1,
            }),
          },
          env.JWT_SECRET,
          {
            issuer: 'panel',
            audience: 'panel-users',
            expiresIn: 86_400,
            jwtid: randomUUID(),
          },
        ),
      ),
    ]),
  );
  const notifyState = Object.fromEntries(
    TARGETS.map((t) => [t, { sent: 0, exhausted: 0, acked: new Set() }]),
  );
  const buyState = Object.fromEntries(TARGETS.map((t) => [t, { acked: 0 }]));

  const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? '')
    .split(' ')
    .filter(Boolean);
  const ceilingArgs = (process.env.BENCH_CEILING_NODE_ARGS ?? '')
    .split(' ')
    .filter(Boolean);
  const servers = [];
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
          [...ceilingArgs, 'bench/money-ceiling-server.mjs'],
          env,
        ),
      ])),
    );
    await probe(servers, tokens, notifyState);
    buyState.app.acked++;
    buyState.ceiling.acked++;
    const only = process.env.BENCH_ONLY;
    const results = {};
    const scenarios = [
      [
        'signed notifies, distinct orders',
        (t) => notifyRequests(t.name, notifyState[t.name]),
      ],
      [
        'purchases, 50 concurrent buyers',
        (t) => buyRequests(tokens[t.name], buyState[t.name]),
      ],
    ];
    for (const [name, opts] of scenarios) {
      if (only && !name.includes(only)) continue;
      results[name] = await scenario(name, servers, opts);
    }
    servers.forEach((s) => s.stop());
    await new Promise((r) => setTimeout(r, 1000));
    const db = await mysql.createConnection({
      uri: DATABASE_URL,
      timezone: 'Z',
    });
    const checks = await verify(db, notifyState, buyState);
    await db.end();
    const ledger = await ledgerCheck(env);
    log(`ledger check: ${ledger.problems} problem(s)`);
    if (!only)
      writeMoneyResults({
        started,
        results,
        checks,
        ledger,
        sizes: {
          orders: ORDERS,
          inviters: INVITERS,
          payers: PAYERS,
          buyers: BUYERS,
          nodes: NODES,
          total: ORDER_TOTAL,
          price: PLAN_PRICE,
          pool: Number(env.DB_POOL_SIZE),
        },
        machine: await machineNote(load0),
      });
  } finally {
    servers.forEach((s) => s.stop());
    await new Promise((r) => setTimeout(r, 500));
    await clearRedis();
    await redis.quit();
    if (!process.env.BENCH_KEEP_DB) await dropDatabase();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
