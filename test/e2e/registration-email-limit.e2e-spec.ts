import { User } from '../../src/database/entities/index.js';
import { uniqueEmail } from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';

// #14 item 7: registration answers 409 for a known email (the contract, kept), so one address
// could be probed without bound from rotating IPs. A `registration-email` budget per normalised
// email (Redis when configured) now stops the N+1th attempt whatever the client address.
describe('registration: per-email rate limit (e2e)', () => {
  let t: TestApp;
  const LIMIT = 3;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        TRUST_PROXY: '1',
        THROTTLE_AUTH_LIMIT: '1000',
        THROTTLE_REGISTER_EMAIL_LIMIT: String(LIMIT),
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  let ipSeq = 0;
  /** Each attempt from a new client address (the trusted proxy's X-Forwarded-For). */
  const register = (email: unknown) =>
    t
      .http()
      .post(`${API}/auth/register`)
      .set('X-Forwarded-For', `198.51.100.${++ipSeq}`)
      .send({ email, password: 'long-enough-pw' });

  it('the N+1th attempt for one email from rotating IPs is 429, its spellings included; other emails are unaffected', async () => {
    const email = uniqueEmail('probe');
    const statuses: number[] = [];
    statuses.push((await register(email)).status);
    statuses.push((await register(`  ${email.toUpperCase()} `)).status);
    statuses.push((await register(email)).status);
    const past = await register(email.replace(/^p/, 'P'));
    statuses.push(past.status);
    expect(statuses).toEqual([201, 409, 409, 429]);
    expect(past.body).toMatchObject({ ret: 0, code: 'RATE_LIMITED' });
    expect(await t.dataSource.getRepository(User).countBy({ email })).toBe(1);
    // Another address from the very same client keeps its own budget.
    await register(uniqueEmail('other')).expect(201);
  });

  it('an unknown email is limited the same way (no account is created past the limit)', async () => {
    const email = uniqueEmail('fresh');
    const tries = [];
    // Bad passwords (400) still count: the budget is spent by asking, not by succeeding.
    for (let i = 0; i < LIMIT; i++)
      tries.push(
        (
          await t
            .http()
            .post(`${API}/auth/register`)
            .set('X-Forwarded-For', `203.0.113.${i + 1}`)
            .send({ email, password: 'short' })
        ).status,
      );
    expect(tries).toEqual(Array(LIMIT).fill(400));
    const res = await register(email);
    expect(res.status).toBe(429);
    expect(await t.dataSource.getRepository(User).countBy({ email })).toBe(0);
  });

  it('a body without an email spends no email budget (400 from validation)', async () => {
    for (let i = 0; i < LIMIT + 2; i++) await register(undefined).expect(400);
  });

  it.each(['login', 'register'])(
    '%s with an email holding a lone surrogate → 400, not 500',
    async (route) => {
      const res = await t
        .http()
        .post(`${API}/auth/${route}`)
        .send({ email: '\ud800@example.com', password: 'long-enough-pw' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    },
  );
});
