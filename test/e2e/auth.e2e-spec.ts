import { JwtService } from '@nestjs/jwt';
import { User } from '../../src/database/entities/index.js';
import { insertAccount } from '../factories/account.factory.js';
import { signUp, signUpAdmin, uniqueEmail } from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';

describe('auth (e2e, over HTTP)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('register → login → /user/info', async () => {
    const email = uniqueEmail();
    const reg = await t
      .http()
      .post(`${API}/auth/register`)
      .send({ email, password: 'long-enough-pw' })
      .expect(201);
    expect(reg.body).toMatchObject({
      ret: 1,
      msg: 'ok',
      data: { email, id: expect.any(Number) },
    });
    expect(reg.body.data.invite_code).toMatch(/^[A-Za-z0-9]{12}$/);

    const login = await t
      .http()
      .post(`${API}/auth/login`)
      .send({ email, password: 'long-enough-pw' })
      .expect(200);
    expect(login.body.ret).toBe(1);
    expect(login.body.data.expires_in).toBe(86_400);
    const token = login.body.data.token as string;
    const claims = new JwtService().decode<Record<string, unknown>>(token);
    expect(claims).toMatchObject({
      sub: String(reg.body.data.id),
      iss: 'panel',
      aud: 'panel-users',
    });
    expect(claims.jti).toEqual(expect.any(String));

    const info = await t
      .http()
      .get(`${API}/user/info`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(info.body).toMatchObject({
      ret: 1,
      data: { id: reg.body.data.id, email, money: 0, class: 0, enable: 1 },
    });
    expect(info.body.data).not.toHaveProperty('pass');
    expect(info.body.data).not.toHaveProperty('passwd');

    // The stored row has node credentials and a bcrypt hash, never the password itself.
    const row = await t.dataSource
      .getRepository(User)
      .findOneByOrFail({ id: reg.body.data.id });
    expect(row.pass).toMatch(/^\$2[aby]\$/);
    expect(row.passwd).toHaveLength(16);
    expect(row.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(row.port).toBeGreaterThanOrEqual(10_000);
    expect(row.inviteCode).toBe(reg.body.data.invite_code);
  });

  it('gives every user distinct port, uuid and invite code, even registering concurrently', async () => {
    const emails = Array.from({ length: 8 }, () => uniqueEmail('burst'));
    const replies = await Promise.all(
      emails.map((email) =>
        t
          .http()
          .post(`${API}/auth/register`)
          .send({ email, password: 'long-enough-pw' }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(emails.map(() => 201));
    const rows = await t.dataSource
      .getRepository(User)
      .find({ where: emails.map((email) => ({ email })) });
    expect(new Set(rows.map((r) => r.port)).size).toBe(8);
    expect(new Set(rows.map((r) => r.uuid)).size).toBe(8);
    expect(new Set(rows.map((r) => r.inviteCode)).size).toBe(8);
  });

  it('duplicate email → 409 EMAIL_TAKEN, case-insensitively, and no second row', async () => {
    const email = uniqueEmail();
    await t
      .http()
      .post(`${API}/auth/register`)
      .send({ email, password: 'long-enough-pw' })
      .expect(201);
    const dup = await t
      .http()
      .post(`${API}/auth/register`)
      .send({ email: email.toUpperCase(), password: 'another-password' });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ ret: 0, code: 'EMAIL_TAKEN' });
    expect(await t.dataSource.getRepository(User).countBy({ email })).toBe(1);
  });

  it.each([
    [
      'bad email',
      { email: 'not-an-email', password: 'long-enough-pw' },
      'email',
    ],
    [
      'short password',
      { email: 'short@example.com', password: 'short' },
      'password',
    ],
    [
      'unknown field',
      { email: 'x1@example.com', password: 'long-enough-pw', is_admin: 1 },
      'is_admin',
    ],
    ['missing password', { email: 'x2@example.com' }, 'password'],
  ])(
    '%s → 400 naming the field, nothing created',
    async (_case, body, field) => {
      const before = await t.dataSource.getRepository(User).count();
      const res = await t.http().post(`${API}/auth/register`).send(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ ret: 0, code: 'VALIDATION_FAILED' });
      expect(Object.keys(res.body.errors)).toContain(field);
      expect(res.body.msg).toContain(field);
      expect(await t.dataSource.getRepository(User).count()).toBe(before);
    },
  );

  it('malformed JSON → 400 in the envelope, no stack trace', async () => {
    const res = await t
      .http()
      .post(`${API}/auth/register`)
      .set('Content-Type', 'application/json')
      .send('{"email": "a@b.c", ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      ret: 0,
      msg: 'Malformed JSON body',
      code: 'MALFORMED_BODY',
    });
  });

  it('wrong password and unknown email get the same 401', async () => {
    const user = await signUp(t);
    const wrong = await t
      .http()
      .post(`${API}/auth/login`)
      .send({ email: user.email, password: 'wrong-password' });
    const unknown = await t
      .http()
      .post(`${API}/auth/login`)
      .send({ email: uniqueEmail('ghost'), password: 'wrong-password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body).toMatchObject({ ret: 0, code: 'INVALID_CREDENTIALS' });
  });

  describe('bearer token', () => {
    const jwt = new JwtService();
    const secret = process.env.JWT_SECRET as string;
    const sign = (payload: object, opts: object) =>
      jwt.sign(payload, {
        secret,
        issuer: 'panel',
        audience: 'panel-users',
        ...opts,
      });

    it.each([
      ['no token', undefined],
      ['garbage token', 'Bearer not.a.jwt'],
      ['wrong scheme', 'Basic abc'],
    ])('%s → 401', async (_case, header) => {
      const req = t.http().get(`${API}/user/info`);
      const res = await (header ? req.set('Authorization', header) : req);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ ret: 0, code: 'UNAUTHORIZED' });
    });

    it('expired token → 401 "Token expired"', async () => {
      const user = await signUp(t);
      const token = sign(
        { sub: String(user.id), exp: Math.floor(Date.now() / 1000) - 10 },
        {},
      );
      const res = await t
        .http()
        .get(`${API}/user/info`)
        .set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        ret: 0,
        code: 'UNAUTHORIZED',
        msg: 'Token expired',
      });
    });

    it('token signed with another secret or for another audience → 401', async () => {
      const user = await signUp(t);
      const forged = jwt.sign(
        { sub: String(user.id) },
        { secret: 'x'.repeat(40), issuer: 'panel', audience: 'panel-users' },
      );
      const otherAud = sign(
        { sub: String(user.id) },
        { audience: 'someone-else', expiresIn: 60 },
      );
      for (const token of [forged, otherAud]) {
        await t
          .http()
          .get(`${API}/user/info`)
          .set('Authorization', `Bearer ${token}`)
          .expect(401);
      }
    });

    it("a deleted user's token stops working", async () => {
      const user = await signUp(t);
      await t.http().get(`${API}/user/info`).set(user.auth).expect(200);
      await t.dataSource.getRepository(User).delete({ id: user.id });
      const res = await t.http().get(`${API}/user/info`).set(user.auth);
      expect(res.status).toBe(401);
    });
  });

  describe('roles and node key', () => {
    it('a user token on an admin route → 403; an admin token → 200', async () => {
      const user = await signUp(t);
      const res = await t.http().get(`${API}/admin/overview`).set(user.auth);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ ret: 0, code: 'FORBIDDEN' });
      const admin = await signUpAdmin(t);
      const ok = await t
        .http()
        .get(`${API}/admin/overview`)
        .set(admin.auth)
        .expect(200);
      expect(ok.body.data.users).toBeGreaterThanOrEqual(2);
    });

    it('a wrong or missing MU_KEY → 401 {ret:0,msg:"Invalid request."} on a node route', async () => {
      for (const path of [
        '/mod_mu/func/ping?key=wrong-key',
        '/mod_mu/func/ping?muKey=wrong',
        '/mod_mu/func/ping',
      ]) {
        const res = await t.http().get(path);
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ ret: 0, msg: 'Invalid request.' });
      }
      const user = await signUp(t);
      await t.http().get('/mod_mu/func/ping').set(user.auth).expect(401);
      await t.http().get('/mod_mu/func/ping').set('Key', 'wrong').expect(401);
    });

    it('the right MU_KEY opens node routes (header Key, query key and muKey) but never user routes', async () => {
      const key = process.env.MU_KEY as string;
      await t
        .http()
        .get('/mod_mu/func/ping')
        .set('Key', key)
        .expect(200, { ret: 1, msg: 'Pong? Pong!' });
      await t.http().get(`/mod_mu/func/ping?key=${key}`).expect(200);
      await t.http().get(`/mod_mu/func/ping?muKey=${key}`).expect(200);
      await t
        .http()
        .get(`${API}/user/info?key=${key}`)
        .set('Key', key)
        .expect(401);
    });
  });

  it('unknown route → 404 in the envelope', async () => {
    const res = await t.http().get(`${API}/no/such/route`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ ret: 0, code: 'NOT_FOUND' });
  });

  it('/health is 200 and /ready checks the database, redis and migrations', async () => {
    await t.http().get('/health').expect(200, { status: 'ok' });
    const ready = await t.http().get('/ready').expect(200);
    expect(ready.body.status).toBe('ok');
    expect(Object.keys(ready.body.info)).toEqual([
      'database',
      'redis',
      'migrations',
    ]);
    expect(ready.body.info.redis.mode).toBe(
      process.env.REDIS_URL ? 'redis' : 'memory',
    );
  });
});

describe('registration modes (e2e)', () => {
  it('REGISTER_MODE=invite requires a valid code; an unknown code → 400 INVITE_CODE_INVALID', async () => {
    const t = await createTestApp({ env: { REGISTER_MODE: 'invite' } });
    try {
      const none = await t
        .http()
        .post(`${API}/auth/register`)
        .send({ email: uniqueEmail(), password: 'long-enough-pw' });
      expect(none.status).toBe(400);
      expect(none.body.code).toBe('INVITE_CODE_REQUIRED');
      const bad = await t.http().post(`${API}/auth/register`).send({
        email: uniqueEmail(),
        password: 'long-enough-pw',
        invite_code: 'NOSUCHCODE',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('INVITE_CODE_INVALID');
      expect(await t.dataSource.getRepository(User).count()).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('REGISTER_MODE=invite accepts a valid code: the account is created under its inviter and signs in', async () => {
    const t = await createTestApp({ env: { REGISTER_MODE: 'invite' } });
    try {
      const inviter = await insertAccount(t.dataSource, {
        inviteCode: 'InviteCode42',
      });
      const invitee = await signUp(t, { invite_code: 'InviteCode42' });
      const row = await t.dataSource
        .getRepository(User)
        .findOneByOrFail({ id: invitee.id });
      expect(row.refBy).toBe(inviter.id);
      await t.http().get(`${API}/user/info`).set(invitee.auth).expect(200);
      // the invitee's own code opens the door to the next one
      const next = await signUp(t, { invite_code: row.inviteCode! });
      expect(
        (
          await t.dataSource
            .getRepository(User)
            .findOneByOrFail({ id: next.id })
        ).refBy,
      ).toBe(invitee.id);
    } finally {
      await t.close();
    }
  });

  it('REGISTER_MODE=closed → 403', async () => {
    const t = await createTestApp({ env: { REGISTER_MODE: 'closed' } });
    try {
      const res = await t
        .http()
        .post(`${API}/auth/register`)
        .send({ email: uniqueEmail(), password: 'long-enough-pw' });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('REGISTRATION_CLOSED');
    } finally {
      await t.close();
    }
  });
});
