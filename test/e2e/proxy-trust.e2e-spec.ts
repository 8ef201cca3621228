import { User } from '../../src/database/entities/index.js';
import { LedgerService } from '../../src/modules/ledger/ledger.service.js';
import { moneyOf } from '../factories/payment.factory.js';
import { signUp, uniqueEmail } from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';

// #14 item 4: X-Forwarded-For was believed from any loopback/private peer, so rotating it lifted
// the per-IP login limit and farmed invite rewards (15 registrations a minute, 75.00 with
// INVITE_REWARD=5). The tests' requests come from 127.0.0.1, the peer the old rule trusted.
const register = (t: TestApp, ip: string, invite_code?: string) =>
  t
    .http()
    .post(`${API}/auth/register`)
    .set('X-Forwarded-For', ip)
    .send({
      email: uniqueEmail('proxy'),
      password: 'long-enough-pw',
      ...(invite_code && { invite_code }),
    });

describe('proxy trust: X-Forwarded-For only from TRUST_PROXY (e2e)', () => {
  it('off by default: a rotated X-Forwarded-For does not lift the per-IP limit', async () => {
    const t = await createTestApp({ env: { THROTTLE_AUTH_LIMIT: '3' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await register(t, `203.0.113.${i + 1}`)).status);
      expect(statuses).toEqual([201, 201, 201, 429, 429, 429]);
      // The recorded registration address is the TCP peer, not the header.
      const rows = await t.dataSource
        .getRepository(User)
        .find({ select: { regIp: true } });
      expect(rows.map((r) => r.regIp)).not.toContain('203.0.113.1');
    } finally {
      await t.close();
    }
  });

  it('TRUST_PROXY=1 (one proxy, the ingress): the client address from the header counts', async () => {
    const t = await createTestApp({
      env: { THROTTLE_AUTH_LIMIT: '2', TRUST_PROXY: '1' },
    });
    try {
      const first = await register(t, '198.51.100.7').expect(201);
      await register(t, '198.51.100.7').expect(201);
      await register(t, '198.51.100.7').expect(429);
      // Another client behind the same proxy has its own budget.
      await register(t, '198.51.100.8').expect(201);
      const row = await t.dataSource
        .getRepository(User)
        .findOneByOrFail({ id: first.body.data.id });
      expect(row.regIp).toBe('198.51.100.7');
    } finally {
      await t.close();
    }
  });

  it('TRUST_PROXY as a CIDR list that does not include the peer: the header is ignored', async () => {
    const t = await createTestApp({
      env: { THROTTLE_AUTH_LIMIT: '1', TRUST_PROXY: '10.0.0.0/8, 192.0.2.1' },
    });
    try {
      await register(t, '198.51.100.1').expect(201);
      await register(t, '198.51.100.2').expect(429);
    } finally {
      await t.close();
    }
  });
});

describe('registration rewards: at most INVITE_REWARD_DAILY_LIMIT per inviter a day (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { INVITE_REWARD: '5', INVITE_REWARD_DAILY_LIMIT: '3' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('8 concurrent registrations with one code: all registered, 3 rewarded (15.00), the ledger agrees', async () => {
    const inviter = await signUp(t);
    const info = await t.http().get(`${API}/user/info`).set(inviter.auth);
    const code = info.body.data.invite_code as string;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => register(t, `192.0.2.${i}`, code)),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(await moneyOf(t.dataSource, inviter.id)).toBe('15.00');
    expect(await t.app.get(LedgerService).findProblems()).toEqual([]);
  });
});
