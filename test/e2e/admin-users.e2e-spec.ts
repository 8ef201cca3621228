import { User, UserMoneyLog } from '../../src/database/entities/index.js';
import { LedgerService } from '../../src/modules/ledger/ledger.service.js';
import {
  signUp,
  signUpAdmin,
  SignedInUser,
  uniqueEmail,
} from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';

describe('admin users (e2e)', () => {
  let t: TestApp;
  let admin: SignedInUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUpAdmin(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const users = () => t.dataSource.getRepository(User);

  it('searches by email part, id and status, paginated and sorted', async () => {
    const tag = `find${process.pid}`;
    const made = [];
    for (let i = 0; i < 3; i++)
      made.push(await signUp(t, { email: uniqueEmail(tag) }));
    await users().update({ id: made[0].id }, { enable: 0 });

    const all = await t
      .http()
      .get(`${API}/admin/users?q=${tag}&sort=id`)
      .set(admin.auth)
      .expect(200);
    expect(all.body.data.count).toBe(3);
    expect(all.body.data.users.map((u: { id: number }) => u.id)).toEqual(
      made.map((u) => u.id),
    );
    expect(all.body.data.users[0]).not.toHaveProperty('pass');

    const page = await t
      .http()
      .get(`${API}/admin/users?q=${tag}&sort=-id&limit=1&offset=1`)
      .set(admin.auth)
      .expect(200);
    expect(page.body.data).toMatchObject({
      count: 3,
      users: [{ id: made[1].id }],
    });

    const disabled = await t
      .http()
      .get(`${API}/admin/users?q=${tag}&status=disabled`)
      .set(admin.auth)
      .expect(200);
    expect(disabled.body.data.users.map((u: { id: number }) => u.id)).toEqual([
      made[0].id,
    ]);

    const byId = await t
      .http()
      .get(`${API}/admin/users?id=${made[2].id}`)
      .set(admin.auth)
      .expect(200);
    expect(byId.body.data.users).toHaveLength(1);
  });

  it.each([
    ['limit=101', 'limit'],
    ['limit=0', 'limit'],
    ['offset=-1', 'offset'],
    ['sort=pass', 'sort'],
    ['status=maybe', 'status'],
    ['unknown=1', 'unknown'],
  ])('rejects ?%s with 400 naming %s', async (query, field) => {
    const res = await t
      .http()
      .get(`${API}/admin/users?${query}`)
      .set(admin.auth);
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.errors)).toContain(field);
  });

  it('views and updates level, group, quota and enable; 404 for a missing user', async () => {
    const user = await signUp(t);
    const res = await t
      .http()
      .patch(`${API}/admin/users/${user.id}`)
      .set(admin.auth)
      .send({
        class: 2,
        node_group: 3,
        transfer_enable: 1073741824,
        enable: 0,
        class_expire: '2030-01-01T00:00:00Z',
      })
      .expect(200);
    expect(res.body.data).toMatchObject({
      class: 2,
      node_group: 3,
      transfer_enable: 1073741824,
      enable: 0,
    });
    expect(res.body.data.class_expire).toBe('2030-01-01T00:00:00.000Z');
    const row = await users().findOneByOrFail({ id: user.id });
    expect(row).toMatchObject({
      classLevel: 2,
      nodeGroup: 3,
      transferEnable: 1073741824,
      enable: 0,
    });

    await t
      .http()
      .patch(`${API}/admin/users/${user.id}`)
      .set(admin.auth)
      .send({})
      .expect(400);
    await t
      .http()
      .patch(`${API}/admin/users/${user.id}`)
      .set(admin.auth)
      .send({ class: -1 })
      .expect(400);
    await t
      .http()
      .patch(`${API}/admin/users/${user.id}`)
      .set(admin.auth)
      .send({ pass: 'x' })
      .expect(400);
    await t.http().get(`${API}/admin/users/999999`).set(admin.auth).expect(404);
    await t.http().get(`${API}/admin/users/abc`).set(admin.auth).expect(400);
  });

  it('resets traffic', async () => {
    const user = await signUp(t);
    await users().update({ id: user.id }, { u: 100, d: 200, lastDayT: 50 });
    await t
      .http()
      .post(`${API}/admin/users/${user.id}/reset-traffic`)
      .set(admin.auth)
      .expect(200);
    expect(await users().findOneByOrFail({ id: user.id })).toMatchObject({
      u: 0,
      d: 0,
      lastDayT: 0,
    });
  });

  it('adjusts the balance with a reason through the ledger; the ledger stays consistent', async () => {
    const user = await signUp(t);
    const credit = await t
      .http()
      .post(`${API}/admin/users/${user.id}/balance`)
      .set(admin.auth)
      .send({ amount: '12.50', reason: 'goodwill after outage' })
      .expect(200);
    expect(credit.body.data).toEqual({
      user_id: user.id,
      amount: 12.5,
      new_balance: 12.5,
    });
    await t
      .http()
      .post(`${API}/admin/users/${user.id}/balance`)
      .set(admin.auth)
      .send({ amount: '-2.25', reason: 'correction' })
      .expect(200);

    const tooMuch = await t
      .http()
      .post(`${API}/admin/users/${user.id}/balance`)
      .set(admin.auth)
      .send({ amount: '-100', reason: 'oops' });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.code).toBe('BALANCE_WOULD_GO_NEGATIVE');

    for (const bad of [
      { amount: '1.234', reason: 'x' },
      { amount: 'ten', reason: 'valid reason' },
      { amount: '1' },
      { amount: '0', reason: 'zero' },
    ]) {
      await t
        .http()
        .post(`${API}/admin/users/${user.id}/balance`)
        .set(admin.auth)
        .send(bad)
        .expect(400);
    }
    expect((await users().findOneByOrFail({ id: user.id })).money).toBe(
      '10.25',
    );
    const log = await t.dataSource
      .getRepository(UserMoneyLog)
      .find({ where: { userId: user.id }, order: { id: 'ASC' } });
    expect(
      log.map((r) => [r.reason, r.amount, r.after, r.note, r.refId]),
    ).toEqual([
      ['admin', '12.50', '12.50', 'goodwill after outage', admin.id],
      ['admin', '-2.25', '10.25', 'correction', admin.id],
    ]);
    expect(await t.app.get(LedgerService).findProblems()).toEqual([]);
  });

  it('a non-admin gets 403', async () => {
    const user = await signUp(t);
    await t.http().get(`${API}/admin/users`).set(user.auth).expect(403);
    await t
      .http()
      .post(`${API}/admin/users/${user.id}/balance`)
      .set(user.auth)
      .send({ amount: '5', reason: 'self-service' })
      .expect(403);
    expect((await users().findOneByOrFail({ id: user.id })).money).toBe('0.00');
  });
});
