import { API_PREFIX, isUnprefixedPath } from '../../src/common/http/routes.js';
import {
  listRoutes,
  RouteInfo,
} from '../../src/common/http/route-inventory.js';
import { signUp, SignedInUser } from '../factories/user.factory.js';
import { expectedAccess, PUBLIC_ROUTES } from '../utils/route-access.js';
import { createTestApp, TestApp } from '../utils/test-app.js';

/** A concrete URL for a route pattern: every `:param` becomes 1. */
const urlOf = (route: RouteInfo): string =>
  route.path.replace(/:[A-Za-z0-9_]+/g, '1');

function send(t: TestApp, route: RouteInfo, auth?: Record<string, string>) {
  const method = route.method.toLowerCase() as
    'get' | 'post' | 'patch' | 'put' | 'delete';
  const req = t.http()[method](urlOf(route));
  if (auth) req.set(auth);
  return ['get', 'delete'].includes(method) ? req : req.send({});
}

describe('every registered route enforces its access level (e2e)', () => {
  let t: TestApp;
  let user: SignedInUser;
  let routes: RouteInfo[];

  beforeAll(async () => {
    // The debug route exists only with PAYMENT_DEBUG: register it so it is checked too.
    t = await createTestApp({ env: { PAYMENT_DEBUG: 'true' } });
    user = await signUp(t);
    routes = listRoutes(t.app, API_PREFIX, isUnprefixedPath);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('every UniProxy route is a node route (the node key as `token`)', () => {
    const uniproxy = routes.filter((r) =>
      r.path.startsWith('/api/v1/server/UniProxy/'),
    );
    expect(uniproxy).toHaveLength(12);
    for (const r of uniproxy)
      expect(`${r.path} ${r.access}`).toBe(`${r.path} node`);
  });

  it('finds the routes of every module', () => {
    expect(routes.length).toBeGreaterThan(50);
    const paths = routes.map((r) => `${r.method} ${r.path}`);
    for (const expected of [
      'GET /app/api/v0/user/info',
      'POST /app/api/v0/user/buy',
      'POST /app/api/v0/payment/create',
      'POST /app/api/v0/payment/debug/confirm',
      'GET /app/api/v0/payment/gateways',
      'GET /app/api/v0/admin/payment/callbacks',
      'POST /app/api/v0/admin/payment/reconcile',
      'GET /mod_mu/users',
      'POST /mod_mu/users/traffic',
      ...['config', 'user', 'push', 'alive', 'alivelist', 'status'].flatMap(
        (action) => [
          `GET /api/v1/server/UniProxy/${action}`,
          `POST /api/v1/server/UniProxy/${action}`,
        ],
      ),
      'GET /app/api/v0/admin/users',
      'POST /app/api/v0/admin/jobs/:name/run',
      'GET /health',
      'GET /sub/:token/:format',
      'GET /app/api/v0/user/subscription',
      'POST /app/api/v0/admin/users/:id/subscription/reset',
    ]) {
      expect(paths).toContain(expected);
    }
  });

  it('every route has the access level its path calls for (a list kept apart from the guards)', () => {
    for (const r of routes) {
      const name = `${r.method} ${r.path}`;
      expect({ name, access: r.access }).toEqual({
        name,
        access: expectedAccess(r.method, r.path),
      });
    }
  });

  it('only these routes are public (a new public route must be added here on purpose)', () => {
    expect(
      routes
        .filter((r) => r.access === 'public')
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    ).toEqual([...PUBLIC_ROUTES].sort());
  });

  it('a non-admin user gets 403 on every admin route', async () => {
    const admin = routes.filter(
      (r) => expectedAccess(r.method, r.path) === 'admin',
    );
    expect(admin.length).toBeGreaterThan(15);
    for (const route of admin) {
      const res = await send(t, route, user.auth);
      expect({
        route: `${route.method} ${route.path}`,
        status: res.status,
      }).toEqual({
        route: `${route.method} ${route.path}`,
        status: 403,
      });
    }
  });

  it('every non-public /app/api/v0, /mod_mu and UniProxy route refuses a request without credentials', async () => {
    const guarded = routes.filter(
      (r) =>
        expectedAccess(r.method, r.path) !== 'public' &&
        (r.path.startsWith(`/${API_PREFIX}/`) ||
          r.path.startsWith('/mod_mu/') ||
          r.path.startsWith('/api/v1/server/UniProxy/')),
    );
    for (const route of guarded) {
      const res = await send(t, route);
      expect({
        route: `${route.method} ${route.path}`,
        status: res.status,
      }).toEqual({
        route: `${route.method} ${route.path}`,
        status: 401,
      });
    }
  });

  it('a user token never opens a node route, the node key never opens a user route', async () => {
    const expected = (r: RouteInfo) => expectedAccess(r.method, r.path);
    for (const route of routes.filter((r) => expected(r) === 'node')) {
      expect((await send(t, route, user.auth)).status).toBe(401);
    }
    const key = { Key: process.env.MU_KEY as string };
    for (const route of routes.filter(
      (r) => expected(r) === 'user' || expected(r) === 'admin',
    )) {
      expect((await send(t, route, key)).status).toBe(401);
    }
  });
});
