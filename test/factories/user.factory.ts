import { DataSource } from 'typeorm';
import { User } from '../../src/database/entities/index.js';
import { API, TestApp } from '../utils/test-app.js';

let counter = 0;

export function uniqueEmail(tag = 'user'): string {
  return `${tag}${process.pid}x${++counter}@example.com`;
}

export interface SignedInUser {
  id: number;
  email: string;
  password: string;
  token: string;
  auth: { Authorization: string };
}

/** Registers and logs in through the real HTTP routes. */
export async function signUp(
  t: TestApp,
  opts: { email?: string; password?: string; invite_code?: string } = {},
): Promise<SignedInUser> {
  const email = opts.email ?? uniqueEmail();
  const password = opts.password ?? 'correct-horse-battery';
  const body = {
    email,
    password,
    ...(opts.invite_code && { invite_code: opts.invite_code }),
  };
  const reg = await t
    .http()
    .post(`${API}/auth/register`)
    .send(body)
    .expect(201);
  const login = await t
    .http()
    .post(`${API}/auth/login`)
    .send({ email, password })
    .expect(200);
  const token = login.body.data.token as string;
  return {
    id: reg.body.data.id,
    email,
    password,
    token,
    auth: { Authorization: `Bearer ${token}` },
  };
}

/** Sets columns directly (test setup only), e.g. `{ isAdmin: 1, money: '30.00' }`. */
export async function updateUser(
  ds: DataSource,
  id: number,
  values: Partial<User>,
): Promise<void> {
  await ds.getRepository(User).update({ id }, values);
}

export async function signUpAdmin(t: TestApp): Promise<SignedInUser> {
  const user = await signUp(t, { email: uniqueEmail('admin') });
  await updateUser(t.dataSource, user.id, { isAdmin: 1 });
  return user;
}
