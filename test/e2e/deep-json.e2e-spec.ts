import { API_PREFIX, isUnprefixedPath } from '../../src/common/http/routes.js';
import { MAX_JSON_DEPTH } from '../../src/common/http/json-depth.js';
import {
  listRoutes,
  RouteInfo,
} from '../../src/common/http/route-inventory.js';
import { MU_KEY, muQuery } from '../factories/node.factory.js';
import {
  signUp,
  signUpAdmin,
  SignedInUser,
} from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';

// #14 item 2: a 1 MB body nested 500,000 levels deep overflowed the stack in validation (500)
// and blocked the process for a second per request. It is refused while parsing: 400.
const nested = (depth: number, leaf = '1') =>
  '['.repeat(depth) + leaf + ']'.repeat(depth);
const DEEP = nested(499_999);

const urlOf = (route: RouteInfo): string =>
  route.path.replace(/:[A-Za-z0-9_]+/g, '1');

describe('deeply nested JSON is refused while parsing, on every route (e2e)', () => {
  let t: TestApp;
  let user: SignedInUser;
  let admin: SignedInUser;
  let bodyRoutes: RouteInfo[];

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_DEBUG: 'true' } });
    user = await signUp(t);
    admin = await signUpAdmin(t);
    bodyRoutes = listRoutes(t.app, API_PREFIX, isUnprefixedPath).filter(
      (r) => !['GET', 'DELETE', 'HEAD', 'OPTIONS'].includes(r.method),
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  const credentials = (route: RouteInfo): Record<string, string> =>
    route.access === 'node'
      ? { Key: MU_KEY }
      : route.access === 'admin'
        ? admin.auth
        : route.access === 'user'
          ? user.auth
          : {};

  it('a 1 MB body 500,000 levels deep: 400 MALFORMED_BODY on every route that takes a body, with or without credentials', async () => {
    expect(bodyRoutes.length).toBeGreaterThan(20);
    const answers: string[] = [];
    for (const route of bodyRoutes) {
      for (const auth of [credentials(route), {}]) {
        const method = route.method.toLowerCase() as 'post' | 'put' | 'patch';
        const res = await t
          .http()
          [method](urlOf(route))
          .query(route.access === 'node' ? muQuery(1) : {})
          .set(auth)
          .set('content-type', 'application/json')
          .send(DEEP);
        answers.push(`${route.method} ${route.path} → ${res.status}`);
        expect(`${route.method} ${route.path} → ${res.status}`).toBe(
          `${route.method} ${route.path} → 400`,
        );
        // Node agents get their dialect's shape; everyone else the envelope with its code.
        const msg = `JSON body nested deeper than ${MAX_JSON_DEPTH} levels`;
        if (route.path.startsWith('/mod_mu'))
          expect(res.body).toEqual({ ret: 0, msg });
        else if (route.path.startsWith('/api/v1/server/UniProxy'))
          expect(res.body).toEqual({ message: msg });
        else expect(res.body).toMatchObject({ ret: 0, code: 'MALFORMED_BODY' });
      }
    }
    expect(answers.length).toBe(bodyRoutes.length * 2);
  });

  it('objects count like arrays; brackets inside strings do not count', async () => {
    const deepObject =
      '{"a":'.repeat(MAX_JSON_DEPTH + 1) + '1' + '}'.repeat(MAX_JSON_DEPTH + 1);
    const res = await t
      .http()
      .post(`${API}/auth/login`)
      .set('content-type', 'application/json')
      .send(deepObject);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('MALFORMED_BODY');
    // Brackets in a string value are data: this reaches validation (and fails it there).
    const inString = await t
      .http()
      .post(`${API}/auth/login`)
      .send({ email: '[[[[' + '['.repeat(200), password: '{'.repeat(100) });
    expect(inString.status).toBe(400);
    expect(inString.body.code).toBe('VALIDATION_FAILED');
  });

  it(`${MAX_JSON_DEPTH} levels still parse (and reach validation), ${MAX_JSON_DEPTH + 1} do not`, async () => {
    const at = await t
      .http()
      .post(`${API}/auth/login`)
      .set('content-type', 'application/json')
      .send(`{"email":${nested(MAX_JSON_DEPTH - 1)}}`);
    expect(at.status).toBe(400);
    expect(at.body.code).toBe('VALIDATION_FAILED');
    const past = await t
      .http()
      .post(`${API}/auth/login`)
      .set('content-type', 'application/json')
      .send(`{"email":${nested(MAX_JSON_DEPTH)}}`);
    expect(past.status).toBe(400);
    expect(past.body.code).toBe('MALFORMED_BODY');
  });

  it('a node traffic report 500,000 levels deep is refused before any work (fast)', async () => {
    const started = Date.now();
    for (let i = 0; i < 5; i++) {
      await t
        .http()
        .post('/mod_mu/users/traffic')
        .query(muQuery(1))
        .set('content-type', 'application/json')
        .send(`{"data":${DEEP}}`)
        .expect(400);
    }
    // Five 1 MB scans, not five stack overflows (1-1.8 s each before).
    expect(Date.now() - started).toBeLessThan(2_500);
  });
});
