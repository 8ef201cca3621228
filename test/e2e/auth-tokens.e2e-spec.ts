import { JwtService } from '@nestjs/jwt';
import { User } from '../../src/database/entities/index.js';
import {
  signUp,
  signUpAdmin,
  SignedInUser,
  updateUser,
} from '../factories/user.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';

// #14 item 7: tokens without `exp` were accepted and none could be revoked. A token now carries
// a stamp of the password hash it was issued under and needs `exp`; the user's row is checked on
// every request (deleted, suspended since issue, password changed → 401).
describe('auth: token lifetime and revocation (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const info = (token: string) =>
    t.http().get(`${API}/user/info`).set('Authorization', `Bearer ${token}`);
  const change = (user: SignedInUser, body: object) =>
    t.http().post(`${API}/user/password`).set(user.auth).send(body);
  const login = (email: string, password: string) =>
    t.http().post(`${API}/auth/login`).send({ email, password });
  const storedHash = async (id: number) =>
    (await t.dataSource.getRepository(User).findOneByOrFail({ id })).pass;

  it('a token without exp → 401, though its signature and every other claim are right', async () => {
    const user = await signUp(t);
    await info(user.token).expect(200);
    const jwt = new JwtService();
    const claims = jwt.decode<Record<string, unknown>>(user.token);
    expect(claims.exp).toEqual(expect.any(Number));
    const { exp: _exp, ...rest } = claims;
    const endless = jwt.sign(rest, { secret: process.env.JWT_SECRET });
    expect(jwt.decode<Record<string, unknown>>(endless)).not.toHaveProperty(
      'exp',
    );
    const res = await info(endless);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ ret: 0, code: 'UNAUTHORIZED' });
  });

  it('POST /user/password: the old token is 401 at once, the returned one works, so does the new password', async () => {
    const user = await signUp(t);
    const other = await login(user.email, user.password).expect(200); // a second device
    const res = await change(user, {
      current_password: user.password,
      new_password: 'a-brand-new-password',
    }).expect(200);
    expect(res.body).toMatchObject({
      ret: 1,
      data: { token: expect.any(String), expires_in: 86_400 },
    });
    await info(user.token).expect(401);
    await info(other.body.data.token as string).expect(401);
    await info(res.body.data.token as string).expect(200);
    await login(user.email, user.password).expect(401);
    const fresh = await login(user.email, 'a-brand-new-password').expect(200);
    await info(fresh.body.data.token as string).expect(200);
  });

  it('a wrong current password → 403, nothing changed, the session kept', async () => {
    const user = await signUp(t);
    const before = await storedHash(user.id);
    const res = await change(user, {
      current_password: 'not-my-password',
      new_password: 'a-brand-new-password',
    });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      ret: 0,
      code: 'CURRENT_PASSWORD_INCORRECT',
    });
    expect(await storedHash(user.id)).toBe(before);
    await info(user.token).expect(200);
  });

  it.each([
    ['a new password over 72 bytes', { new_password: 'é'.repeat(37) }],
    ['a new password under 8 characters', { new_password: 'short' }],
    ['no new password', { new_password: undefined }],
    ['an unknown field', { new_password: 'long-enough-pw', extra: 1 }],
  ])('%s → 400, nothing changed', async (_, patch) => {
    const user = await signUp(t);
    const before = await storedHash(user.id);
    const res = await change(user, {
      current_password: user.password,
      ...patch,
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ ret: 0 });
    expect(await storedHash(user.id)).toBe(before);
    await info(user.token).expect(200);
  });

  it('without a token → 401', async () => {
    await t
      .http()
      .post(`${API}/user/password`)
      .send({ current_password: 'x', new_password: 'long-enough-pw' })
      .expect(401);
  });

  it('a password changed behind our back (an adopted panel writing the row) revokes the tokens', async () => {
    const user = await signUp(t);
    const other = await signUp(t);
    await updateUser(t.dataSource, user.id, {
      pass: await storedHash(other.id),
    });
    await info(user.token).expect(401);
    await info(other.token).expect(200);
  });

  it("a suspension revokes the user's tokens, but a suspended user signs in, sees why and tops up; restored, they sign in again", async () => {
    const user = await signUp(t);
    const admin = await signUpAdmin(t);
    await t
      .http()
      .patch(`${API}/admin/users/${user.id}`)
      .set(admin.auth)
      .send({ enable: 0 })
      .expect(200);
    await info(user.token).expect(401);
    // `enable = 0` suspends the service, not the account (the contract): login still works.
    const suspended = await login(user.email, user.password).expect(200);
    const whileSuspended = suspended.body.data.token as string;
    const view = await info(whileSuspended).expect(200);
    expect(view.body.data.enable).toBe(0);
    // …and reaches the money routes it needs to come back (its orders, the shop).
    await t
      .http()
      .get(`${API}/payment/orders`)
      .set({ Authorization: `Bearer ${whileSuspended}` })
      .expect(200);
    // A wrong password still says only "incorrect".
    await login(user.email, 'wrong-password').expect(401);
    // Restored: the token issued while suspended dies too; a new login works.
    await updateUser(t.dataSource, user.id, { enable: 1 });
    await info(whileSuspended).expect(401);
    const again = await login(user.email, user.password).expect(200);
    await info(again.body.data.token as string).expect(200);
  });

  it("an admin's password reset (PATCH password) revokes the user's tokens; the new password logs in", async () => {
    const user = await signUp(t);
    const admin = await signUpAdmin(t);
    const res = await t
      .http()
      .patch(`${API}/admin/users/${user.id}`)
      .set(admin.auth)
      .send({ password: 'set-by-the-operator' })
      .expect(200);
    expect(res.body.data).not.toHaveProperty('pass');
    await info(user.token).expect(401);
    await login(user.email, user.password).expect(401);
    await login(user.email, 'set-by-the-operator').expect(200);
    // The admin's own session is untouched.
    await t.http().get(`${API}/admin/overview`).set(admin.auth).expect(200);
    const long = await t
      .http()
      .patch(`${API}/admin/users/${user.id}`)
      .set(admin.auth)
      .send({ password: 'x'.repeat(73) });
    expect(long.status).toBe(400);
  });
});
