import { API_PREFIX, isUnprefixedPath } from '../../src/common/http/routes.js';
import {
  listRoutes,
  RouteInfo,
} from '../../src/common/http/route-inventory.js';
import { LedgerService } from '../../src/modules/ledger/ledger.service.js';
import {
  createNode,
  createNodeUser,
  MU_KEY,
} from '../factories/node.factory.js';
import { EPAY_ENV } from '../factories/payment.factory.js';
import {
  createCoupon,
  createPlan,
  giveMoney,
} from '../factories/shop.factory.js';
import {
  signUp,
  signUpAdmin,
  SignedInUser,
} from '../factories/user.factory.js';
import { createTestApp, TestApp } from '../utils/test-app.js';

// #14 "Must show": every registered route (the app's own inventory) under generated bad input
// — deep nesting, huge and tiny numbers, wrong types, unicode, prototype-pollution keys — answers
// no 5xx, and no money or traffic row changes. Bounded: a fixed seed, a few thousand requests.

/** Deterministic PRNG (mulberry32): the same requests on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const nest = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const BAD_VALUES: unknown[] = [
  null,
  true,
  -1,
  0,
  1e-7,
  -1e-7,
  1.5,
  1e308,
  -1e308,
  2 ** 53,
  2 ** 63,
  18446744073709551616,
  '1e309',
  'NaN',
  '',
  ' ',
  'a'.repeat(5000),
  '💸🔥',
  'مرحبا\u202e',
  '\u0000',
  '\ud800',
  '../../etc/passwd',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  [],
  [1, 'a', null],
  {},
  { $gt: '' },
  { __proto__: { isAdmin: 1 } },
];
/** Raw JSON texts JSON.stringify cannot produce (or would not keep). */
const RAW_BODIES = [
  nest(100),
  `{"a":${nest(40)}}`,
  '{"__proto__":{"isAdmin":1,"is_admin":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '{"total":1e999,"gateway":"alipay"}',
  '{"total":-0,"shop_id":1e400}',
  '{"data":[{"user_id":1,"u":1e400,"d":-1}]}',
  '[1,2,3]',
  '"just a string"',
  '{"a":1,',
  '{"a":"\\ud800"}',
  '\u0000',
];
const QUERY_KEYS = [
  'limit',
  'offset',
  'id',
  'q',
  'status',
  'sort',
  'node_id',
  'gateway',
  'job',
  'key',
  '__proto__',
  'constructor[prototype][x]',
];
const PARAM_VALUES = [
  '999999',
  '0',
  '-1',
  'abc',
  '1e309',
  '9'.repeat(40),
  '%F0%9F%92%B8',
  '__proto__',
  '%00',
  'daily',
];

describe('fuzz: every registered route under bad input (e2e)', () => {
  let t: TestApp;
  let user: SignedInUser;
  let admin: SignedInUser;
  let routes: RouteInfo[];

  beforeAll(async () => {
    t = await createTestApp({ env: { ...EPAY_ENV, PAYMENT_DEBUG: 'true' } });
    user = await signUp(t);
    admin = await signUpAdmin(t);
    await giveMoney(t, user.id, 5000);
    await createPlan(t);
    await createCoupon(t);
    const node = await createNode(t.dataSource);
    await createNodeUser(t.dataSource, { u: 1000, d: 2000 });
    void node;
    routes = listRoutes(t.app, API_PREFIX, isUnprefixedPath);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Row counts and sums of the money and traffic tables, as exact text. */
  async function snapshot(): Promise<Record<string, unknown>> {
    const q = (n: string) => t.dataSource.driver.escape(n);
    const text =
      t.dataSource.options.type === 'better-sqlite3' ? 'TEXT' : 'CHAR';
    const agg = async (table: string, cols: string[]) => {
      const sums = cols.map(
        (c) => `CAST(COALESCE(SUM(${q(c)}), 0) AS ${text}) AS ${q(c)}`,
      );
      const [row] = await t.dataSource.query<Record<string, unknown>[]>(
        `SELECT COUNT(*) AS n${sums.length ? ', ' + sums.join(', ') : ''} FROM ${q(table)}`,
      );
      return Object.fromEntries(
        Object.entries(row).map(([k, v]) => [k, String(v)]),
      );
    };
    return {
      user: await agg('user', [
        'money',
        'u',
        'd',
        'transfer_enable',
        'class',
        'is_admin',
        'enable',
      ]),
      user_money_log: await agg('user_money_log', ['amount']),
      paylist: await agg('paylist', ['total', 'status']),
      bought: await agg('bought', ['price']),
      payback: await agg('payback', ['ref_get']),
      coupon: await agg('coupon', ['used']),
      shop: await agg('shop', ['price', 'status']),
      ss_node: await agg('ss_node', ['node_bandwidth', 'type']),
      traffic_report: await agg('traffic_report', []),
      user_traffic_log: await agg('user_traffic_log', []),
    };
  }

  it('a few thousand generated requests: zero 5xx, zero money/traffic rows changed, no prototype pollution', async () => {
    const rnd = prng(14);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const randomBody = (): string => {
      if (rnd() < 0.35) return pick(RAW_BODIES);
      const body: Record<string, unknown> = {};
      const keys = [
        'total',
        'gateway',
        'shop_id',
        'coupon',
        'email',
        'password',
        'data',
        'node_id',
        'amount',
        'reason',
        'enable',
        'content',
        'price',
        'dry_run',
        'invite_code',
        'custom_config',
        'name',
      ];
      for (let i = 0, n = 1 + Math.floor(rnd() * 4); i < n; i++)
        body[pick(keys)] = pick(BAD_VALUES);
      return JSON.stringify(body);
    };
    const randomQuery = (): Record<string, string> => {
      const query: Record<string, string> = {};
      for (let i = 0, n = Math.floor(rnd() * 3); i < n; i++)
        query[pick(QUERY_KEYS)] = String(pick(BAD_VALUES));
      return query;
    };
    const auth = (route: RouteInfo): Record<string, string> =>
      route.access === 'node'
        ? { Key: MU_KEY }
        : route.access === 'admin'
          ? admin.auth
          : route.access === 'user'
            ? user.auth
            : {};

    const before = await snapshot();
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const PER_ROUTE = Math.max(12, Math.floor(2500 / routes.length));
    const started = Date.now();
    let sent = 0;
    for (const route of routes) {
      if (route.path === '/metrics' || route.path.startsWith('/docs')) continue;
      for (let i = 0; i < PER_ROUTE; i++) {
        const url = route.path.replace(/:[A-Za-z0-9_]+/g, () =>
          pick(PARAM_VALUES),
        );
        const method = route.method.toLowerCase() as
          'get' | 'post' | 'put' | 'patch' | 'delete';
        const query = {
          ...randomQuery(),
          ...(route.access === 'node'
            ? {
                key: MU_KEY,
                muKey: MU_KEY,
                node_id: pick(['1', '999999', '-1', 'x']),
              }
            : {}),
        };
        let req = t
          .http()
          [method](url)
          .query(query)
          .set(rnd() < 0.85 ? auth(route) : {});
        if (!['get', 'delete'].includes(method)) {
          req =
            rnd() < 0.15
              ? req.type('form').send('total=1e309&gateway[]=x&__proto__[a]=1')
              : req.set('content-type', 'application/json').send(randomBody());
        }
        const res = await req;
        sent++;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500)
          failures.push(
            `${route.method} ${url} ${JSON.stringify(query)} → ${res.status} ${res.text.slice(0, 200)}`,
          );
      }
    }
    const elapsed = Date.now() - started;
    expect(failures).toEqual([]);
    expect(await snapshot()).toEqual(before);
    expect(await t.app.get(LedgerService).findProblems()).toEqual([]);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(sent).toBeGreaterThan(1500);
    expect(elapsed).toBeLessThan(90_000);
  }, 180_000);
});
