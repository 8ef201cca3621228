import { Between } from 'typeorm';
import { User } from '../../src/database/entities/index.js';
import { insertAccount } from '../factories/account.factory.js';
import { uniqueEmail } from '../factories/user.factory.js';
import { itOnMysql } from '../utils/modes.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';

// #14 item 7: the Shadowsocks port of a new account was the highest + 1, without bound (after
// 65535 came 65536). It is now taken from [SS_PORT_MIN, SS_PORT_MAX]: the top + 1 while it fits,
// then the lowest gap, and a full range is a 503 PORT_RANGE_FULL that creates nothing.
const register = (t: TestApp, email = uniqueEmail('port')) =>
  t
    .http()
    .post(`${API}/auth/register`)
    .send({ email, password: 'long-enough-pw' });

const portOf = async (t: TestApp, id: number) =>
  (await t.dataSource.getRepository(User).findOneByOrFail({ id })).port;

describe('registration: Shadowsocks ports within the default range (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('after an (adopted) account on 65535, the next one is not 65536 but the lowest free port', async () => {
    await insertAccount(t.dataSource, { port: 65_535 });
    await insertAccount(t.dataSource, { port: 70_000 }); // out of range: ignored
    const res = await register(t).expect(201);
    const port = await portOf(t, res.body.data.id as number);
    expect(port).toBeGreaterThanOrEqual(10_000);
    expect(port).toBeLessThanOrEqual(65_535);
    expect(port).toBe(10_000);
  });
});

describe('registration: Shadowsocks ports within SS_PORT_MIN..SS_PORT_MAX (e2e)', () => {
  let t: TestApp;
  const MIN = 40_000;
  const MAX = 40_004;

  beforeAll(async () => {
    t = await createTestApp({
      env: { SS_PORT_MIN: String(MIN), SS_PORT_MAX: String(MAX) },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const inRange = () =>
    t.dataSource
      .getRepository(User)
      .find({ where: { port: Between(MIN, MAX) }, order: { port: 'ASC' } });
  const users = () => t.dataSource.getRepository(User).count();

  it('fills the range in order, reuses a freed port, and answers 503 PORT_RANGE_FULL when full, creating nothing', async () => {
    for (let i = 0; i < MAX - MIN + 1; i++) await register(t).expect(201);
    expect((await inRange()).map((u) => u.port)).toEqual([
      40_000, 40_001, 40_002, 40_003, 40_004,
    ]);

    const before = await users();
    const email = uniqueEmail('full');
    const full = await register(t, email);
    expect(full.status).toBe(503);
    expect(full.body).toMatchObject({ ret: 0, code: 'PORT_RANGE_FULL' });
    expect(full.body.msg).toMatch(/40000-40004/);
    expect(await users()).toBe(before);
    expect(await t.dataSource.getRepository(User).countBy({ email })).toBe(0);

    // A deleted account frees its port: the next registration gets exactly that one.
    const middle = (await inRange())[2];
    await t.dataSource.getRepository(User).delete({ id: middle.id });
    const again = await register(t).expect(201);
    expect(await portOf(t, again.body.data.id as number)).toBe(middle.port);
    await register(t).expect(503);
  });
});

describe('registration: parallel registrations never share a port (e2e, MariaDB)', () => {
  let t: TestApp;
  const MIN = 41_000;
  const MAX = 41_011; // 12 ports

  beforeAll(async () => {
    t = await createTestApp({
      env: { SS_PORT_MIN: String(MIN), SS_PORT_MAX: String(MAX) },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  itOnMysql(
    '18 at once into 12 ports: 12 created on distinct ports in range, 6 refused with 503, no other status',
    async () => {
      const results = await Promise.all(
        Array.from({ length: 18 }, () => register(t)),
      );
      const statuses = results.map((r) => r.status).sort((a, b) => a - b);
      expect(statuses).toEqual([...Array(12).fill(201), ...Array(6).fill(503)]);
      for (const r of results.filter((x) => x.status === 503))
        expect(r.body.code).toBe('PORT_RANGE_FULL');
      const ports = (
        await t.dataSource.getRepository(User).find({ order: { port: 'ASC' } })
      ).map((u) => u.port);
      expect(ports).toEqual(Array.from({ length: 12 }, (_, i) => MIN + i));
    },
    60_000,
  );
});
