/**
 * The ceiling for the money benchmark (bench/money-bench.mjs): a bare `node:http` + `mysql2`
 * (+ `ioredis`) server doing the app's work for its two money routes, and nothing else. The rules
 * are the app's own compiled code (bench/.build): the epay gateway's `verifyCallback` (signature,
 * pid, status, amount format), `toCents`/`formatCents`, the commission levels and rounding,
 * `parsePlanContent` and `decidePurchase`. The statements of the notify, the balance change and
 * the purchase come from the app's own builders (payment-sql.ts, ledger-sql.ts,
 * referral-sql.ts, shop-sql.ts, user-sql.ts, node-sql.ts), so both run identical SQL.
 * Same statements in the same order and the same transactions:
 *
 * - `GET|POST /app/api/v0/payment/notify/epay` (PaymentCallbackService.settle +
 *   PaymentCreditService.creditReadOrder): the order by tradeno with its checkout's currency
 *   (one read), gateway check, amount check (the order is not read again); then ONE
 *   transaction: the conditional `status 0/-1 → 1` update (the single winner), the payer's
 *   balance credit (`ROUND(money + x, 2)` under the DECIMAL bound), the `user_money_log` row
 *   taken off the credited row (INSERT … SELECT), the referral chain in one read (payer's and
 *   earner's links with the PAYBACK_MAX_TIMES count), the `payback` row, the earner's credit
 *   and log row; retried on a deadlock as the app does; then the `payment_callback` record.
 *   Replies `success` / `fail` as the app.
 * - `POST /app/api/v0/user/buy` (JwtStrategy + ShopPurchaseService.purchase): the bearer JWT
 *   verified (HS256, issuer, audience, expiry) and its user looked up; the body checked; the plan
 *   read and checked; ONE transaction: the purchaser's row `FOR UPDATE`, the rules, the `bought` row, the
 *   guarded debit, the ledger row (INSERT … SELECT), the account update (quota added in SQL), the
 *   quota read; then the node user lists and the user's subscription bodies dropped from Redis
 *   (the USERS_ENTITLEMENTS_CHANGED listeners). Replies the app's envelope.
 */
import { createSecretKey, randomUUID } from 'node:crypto';
import http from 'node:http';
import { Redis } from 'ioredis';
import jwt from 'jsonwebtoken';
import { accountStamp } from './.build/modules/auth/auth-token.service.js';
import { ceilingPool, CEILING_REDIS_PREFIX } from './bench-kit.mjs';
import { centsToNumber, formatCents, toCents } from './.build/common/money.js';
import {
  addToBalanceQuery,
  insertLogAfterChangeQuery,
} from './.build/modules/ledger/ledger-sql.js';
import {
  callbackOrderQuery,
  insertCallbackQuery,
  markPaidQuery,
} from './.build/modules/payment/payment-sql.js';
import {
  commissionChainQuery,
  insertPaybackQuery,
} from './.build/modules/referral/referral-sql.js';
import { EpayGateway } from './.build/modules/payment/gateways/epay.gateway.js';
import {
  commissionCents,
  commissionLevels,
} from './.build/modules/referral/commission.js';
import { parsePlanContent } from './.build/modules/shop/plan-content.js';
import {
  accountUpdateQuery,
  insertBoughtQuery,
  planQuery,
  purchaserQuery,
  transferEnableQuery,
} from './.build/modules/shop/shop-sql.js';
import { authIdentityQuery } from './.build/modules/user/user-sql.js';
import { nodeIdsQuery } from './.build/modules/node/node-sql.js';
import { decidePurchase } from './.build/modules/shop/purchase-rules.js';

const PORT = Number(process.env.PORT);
const NOTIFY_PATH = '/app/api/v0/payment/notify/epay';
const BUY_PATH = '/app/api/v0/user/buy';
const ATTEMPTS = 3;
const LEVELS = commissionLevels(
  (process.env.PAYBACK_RATES ?? '0.2').split(',').map(Number),
);
const MAX_TIMES = Number(process.env.PAYBACK_MAX_TIMES ?? 1);
const JWT_SECRET = process.env.JWT_SECRET;
// As JwtStrategy: the secret as a KeyObject made once (a string is tried as a PEM key per verify).
const JWT_KEY = createSecretKey(Buffer.from(JWT_SECRET, 'utf8'));
const JWT_OPTIONS = {
  issuer: process.env.JWT_ISSUER ?? 'panel',
  audience: process.env.JWT_AUDIENCE ?? 'panel-users',
  algorithms: ['HS256'],
};

const epay = new EpayGateway(
  'epay',
  {
    url: process.env.EPAY_URL,
    pid: process.env.EPAY_PID,
    key: process.env.EPAY_KEY,
  },
  { notifyUrl: '', returnUrl: '' },
);
const pool = ceilingPool();
const redis = new Redis(process.env.REDIS_URL, {
  keyPrefix: CEILING_REDIS_PREFIX,
});
const unixNow = () => Math.floor(Date.now() / 1000);
const q = (name) => `\`${name}\``;
/** Runs one of the app's builders' statements (mysql2 binds the same positional `?`). */
const run = (db, { sql, params }) => db.query(sql, params);

function send(res, status, body, type = 'application/json; charset=utf-8') {
  const bytes = Buffer.from(body);
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': bytes.length,
  });
  res.end(bytes);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const transient = (err) => err?.errno === 1213 || err?.errno === 1205;

/** `work(conn)` in one transaction on one pooled connection, rerun on a deadlock / lock wait. */
async function transaction(work) {
  for (let attempt = 1; ; attempt++) {
    const conn = await pool.getConnection();
    try {
      await conn.beginTransaction();
      const result = await work(conn);
      await conn.commit();
      return result;
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      if (!transient(err) || attempt >= ATTEMPTS) throw err;
    } finally {
      conn.release();
    }
  }
}

/** LedgerService.applyBalanceChange: guarded update, then the log row read off the user's row. */
async function applyBalanceChange(conn, change) {
  const [r] = await run(
    conn,
    addToBalanceQuery(
      q,
      change.userId,
      change.amountCents,
      change.requireFunds ?? false,
    ),
  );
  if (r.affectedRows === 0) return null;
  const [log] = await run(
    conn,
    insertLogAfterChangeQuery(q, {
      userId: change.userId,
      amount: formatCents(change.amountCents),
      reason: change.reason,
      refType: change.refType,
      refId: change.refId,
      note: null,
      createdAt: unixNow(),
    }),
  );
  return { logId: log.insertId };
}

/** ReferralService.payCommission inside the crediting transaction: the chain in one read. */
async function payCommission(conn, order) {
  const totalCents = toCents(order.total);
  if (LEVELS.length === 0 || totalCents <= 0) return;
  const countPaid = MAX_TIMES !== 0;
  const [[chain]] = await run(
    conn,
    commissionChainQuery(q, order.userid, LEVELS.length, countPaid),
  );
  if (!chain) return;
  const seen = new Set([chain.id]);
  let nextId = chain.refBy;
  for (const [i, level] of LEVELS.entries()) {
    const k = i + 1;
    if (!nextId || seen.has(nextId)) break;
    if (chain[`id${k}`] === null || chain[`enable${k}`] !== 1) break;
    const earnerId = chain[`id${k}`];
    seen.add(earnerId);
    nextId = chain[`refBy${k}`];
    const amountCents = commissionCents(totalCents, level);
    if (amountCents <= 0) continue;
    if (countPaid && Number(chain[`paid${k}`]) >= MAX_TIMES) continue;
    const [ins] = await run(
      conn,
      insertPaybackQuery(q, {
        total: order.total,
        userid: order.userid,
        refBy: earnerId,
        refGet: formatCents(amountCents),
        datetime: unixNow(),
        callback: 0,
        paylistId: order.id,
        level: level.level,
      }),
    );
    const applied = await applyBalanceChange(conn, {
      userId: earnerId,
      amountCents,
      reason: 'commission',
      refType: 'payback',
      refId: ins.insertId,
    });
    if (!applied) throw new Error(`Referrer ${earnerId} vanished`);
  }
}

/**
 * PaymentCreditService.creditReadOrder for the order settle just read (not read again):
 * true = credited, false = already paid.
 */
async function creditPaidOrder(order, callbackNo) {
  return transaction(async (conn) => {
    const [won] = await run(
      conn,
      markPaidQuery(
        q,
        { id: order.id, gateway: 'epay', callbackNo, paidAt: unixNow() },
        1,
        [0, -1],
      ),
    );
    if (won.affectedRows === 0) return false;
    const applied = await applyBalanceChange(conn, {
      userId: order.userid,
      amountCents: toCents(order.total),
      reason: 'topup',
      refType: 'paylist',
      refId: order.id,
    });
    if (!applied) throw new Error(`The owner of order ${order.id} is gone`);
    await payCommission(conn, order);
    return true;
  });
}

async function recordCallback(outcome, seen) {
  const p = seen.payment;
  await run(
    pool,
    insertCallbackQuery(q, {
      gateway: 'epay',
      source: 'notify',
      paylistId: seen.orderId ?? null,
      tradeno: seen.tradeno ?? null,
      outcome,
      reason: seen.reason ?? null,
      amount: p ? formatCents(p.amountCents) : null,
      currency: p?.currency ?? null,
      reference: p?.reference ?? null,
      detail: null,
      createdAt: unixNow(),
    }),
  );
  return outcome;
}

/** PaymentCallbackService.settle for one epay notify; the outcome. */
async function settle(verification) {
  if (verification.ok !== true)
    return recordCallback('rejected', { reason: verification.reason });
  const payment = verification.payment;
  const seen = { tradeno: payment.tradeno, payment };
  const [[order]] = await run(pool, callbackOrderQuery(q, payment.tradeno));
  if (!order)
    return recordCallback('rejected', { ...seen, reason: 'unknown order' });
  seen.orderId = order.id;
  if (order.gateway !== 'epay')
    return recordCallback('rejected', { ...seen, reason: 'other gateway' });
  const currency = order.checkoutCurrency ?? epay.currency;
  if (payment.currency !== currency)
    return recordCallback('mismatch', { ...seen, reason: 'currency' });
  if (payment.amountCents !== toCents(order.total))
    return recordCallback('mismatch', { ...seen, reason: 'amount' });
  const credited = await creditPaidOrder(order, payment.reference);
  return recordCallback(credited ? 'credited' : 'already_paid', seen);
}

const REPLY_STATUS = { credited: 200, already_paid: 200, ignored: 200 };

async function notify(req, res, url) {
  let params = Object.fromEntries(url.searchParams);
  let rawBody;
  if (req.method === 'POST') {
    rawBody = await readBody(req);
    const type = req.headers['content-type'] ?? '';
    const body = type.includes('application/json')
      ? JSON.parse(rawBody.toString('utf8'))
      : Object.fromEntries(new URLSearchParams(rawBody.toString('utf8')));
    if (Object.keys(body).length > 0) params = body;
  }
  const verification = epay.verifyCallback({
    params,
    rawBody,
    headers: req.headers,
  });
  const outcome = await settle(verification);
  const status = REPLY_STATUS[outcome] ?? 400;
  send(
    res,
    status,
    status === 200 ? 'success' : 'fail',
    'text/plain; charset=utf-8',
  );
}

const unauthorized = (res) =>
  send(
    res,
    401,
    '{"ret":0,"msg":"Missing or invalid bearer token","code":"UNAUTHORIZED"}',
  );

/** JwtStrategy: the token, then its user must still exist and match the token's stamp. */
async function authenticate(req) {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Bearer ')) return null;
  let payload;
  try {
    payload = jwt.verify(header.slice(7), JWT_KEY, JWT_OPTIONS);
  } catch {
    return null;
  }
  const id = Number(payload.sub);
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  const identity = authIdentityQuery(q, id);
  const [[user]] = await pool.query(identity.sql, identity.params);
  if (!user || typeof payload.exp !== 'number') return null;
  const want = accountStamp(JWT_SECRET, {
    pass: user.pass,
    enable: user.enable,
  });
  return payload.pws === want ? user : null;
}

function toIso(d) {
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

/** ShopPurchaseService.purchase before its transaction: the plan, read and checked (no lock). */
async function readPlan(shopId) {
  const [[shop]] = await run(pool, planQuery(q, shopId));
  if (!shop || Number(shop.status) !== 1)
    return { status: 404, msg: 'Plan not found' };
  const content = parsePlanContent(
    shop.content,
    Boolean(Number(shop.autoResetBandwidth)),
  );
  if (!content) return { status: 409, msg: 'Plan has invalid content' };
  return {
    status: 200,
    plan: {
      id: shop.id,
      name: shop.name,
      priceCents: toCents(shop.price),
      autoRenewDays: shop.autoRenew,
      content,
    },
  };
}

/** ShopPurchaseService.purchaseInTransaction; the result DTO or an error reply. */
async function purchaseIn(conn, userId, plan, now) {
  const [[user]] = await run(conn, purchaserQuery(q, userId, ' FOR UPDATE'));
  if (!user) return { status: 404, msg: 'User not found' };
  const moneyCents = toCents(user.money);
  const outcome = decidePurchase({
    user: {
      classLevel: user.classLevel,
      classExpire: user.classExpire,
      expireIn: user.expireIn,
    },
    plan,
    coupon: null,
    now,
    allowDowngrade: false,
    autoRenew: false,
  });
  if (moneyCents < outcome.priceCents)
    return { status: 402, msg: 'Insufficient balance' };
  const [bought] = await run(
    conn,
    insertBoughtQuery(q, {
      userid: userId,
      shopid: plan.id,
      datetime: Math.floor(now.getTime() / 1000),
      renew: outcome.renewAt,
      coupon: '',
      price: formatCents(outcome.priceCents),
    }),
  );
  if (outcome.priceCents > 0) {
    const applied = await applyBalanceChange(conn, {
      userId,
      amountCents: -outcome.priceCents,
      reason: 'purchase',
      refType: 'bought',
      refId: bought.insertId,
      requireFunds: true,
    });
    if (!applied) return { status: 402, msg: 'Insufficient balance' };
  }
  // Under the row lock the balance after the debit is the locked one minus the price.
  const balanceCents = moneyCents - outcome.priceCents;
  // mysql2 binds a Date as TypeORM's persistence conversion hands it over (the app's persister).
  await run(conn, accountUpdateQuery(q, userId, outcome));
  const [[quota]] = await run(conn, transferEnableQuery(q, userId));
  return {
    status: 200,
    data: {
      user_id: userId,
      shop_id: plan.id,
      shop_name: plan.name,
      bought_id: bought.insertId,
      price: centsToNumber(outcome.priceCents),
      new_balance: centsToNumber(balanceCents),
      new_class: outcome.classLevel,
      new_class_expire: toIso(outcome.classExpire),
      new_expire_in: toIso(outcome.expireIn),
      new_transfer_enable: Number(quota.transferEnable),
      traffic_added_gb: plan.content.trafficGb ?? 0,
      traffic_reset: outcome.quota.mode === 'reset',
      renew: outcome.renewAt,
    },
  };
}

/** The USERS_ENTITLEMENTS_CHANGED listeners: every node's lists, the user's subscription bodies. */
async function refreshNodeLists(userId) {
  const ids = nodeIdsQuery(q);
  const [rows] = await pool.query(ids.sql, ids.params);
  const keys = ['seed:all'];
  for (const { id } of rows)
    keys.push(`mu:${id}`, `seed:${id}`, `uniproxy:${id}`);
  await redis.del(
    ...keys.flatMap((k) => [`node-users:${k}:head`, `node-users:${k}:body`]),
  );
  await redis.set(`sub:gen:user:${userId}`, randomUUID(), 'PX', 86_400_000);
}

async function buy(req, res) {
  const raw = await readBody(req);
  const user = await authenticate(req);
  if (!user) return unauthorized(res);
  let body;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return send(res, 400, '{"ret":0,"msg":"Malformed JSON body"}');
  }
  const shopId = body?.shop_id;
  if (!Number.isInteger(shopId) || shopId < 1 || shopId > 2_147_483_647)
    return send(
      res,
      400,
      '{"ret":0,"msg":"shop_id must be a positive integer"}',
    );
  const read = await readPlan(shopId);
  if (read.status !== 200)
    return send(res, read.status, JSON.stringify({ ret: 0, msg: read.msg }));
  const result = await transaction((conn) =>
    purchaseIn(conn, user.id, read.plan, new Date()),
  );
  if (result.status !== 200)
    return send(
      res,
      result.status,
      JSON.stringify({ ret: 0, msg: result.msg }),
    );
  await refreshNodeLists(user.id);
  send(
    res,
    200,
    JSON.stringify({ ret: 1, msg: 'Purchase successful', data: result.data }),
  );
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://ceiling');
  let work;
  if (
    url.pathname === NOTIFY_PATH &&
    (req.method === 'GET' || req.method === 'POST')
  )
    work = notify(req, res, url);
  else if (req.method === 'POST' && url.pathname === BUY_PATH)
    work = buy(req, res);
  else if (url.pathname === '/health')
    work = Promise.resolve(send(res, 200, '{"status":"ok"}'));
  else work = Promise.resolve(send(res, 404, '{"ret":0,"msg":"Not found"}'));
  work.catch((err) => {
    console.error(err);
    if (!res.headersSent)
      send(res, 500, '{"ret":0,"msg":"Internal server error"}');
  });
});
server.keepAliveTimeout = 65_000;
server.listen(PORT, '127.0.0.1', () =>
  console.log(`money ceiling listening on ${PORT}`),
);

// The runner stops this server once the measurements are over: in-flight requests finish (a
// notify killed between its commit and its callback record read as a bad one), idle
// keep-alive connections close, then the process exits (within a second at the latest: the
// runner checks the rows a second after stopping it).
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 900).unref();
});
