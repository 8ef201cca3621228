import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  Payback,
  Paylist,
  User,
  UserMoneyLog,
} from '../../src/database/entities/index.js';
import { API, TestApp } from '../utils/test-app.js';
import type { SignedInUser } from './user.factory.js';

/** An epay merchant for tests (the gateways alipay, wechat and epay become enabled). */
export const EPAY_ENV = {
  EPAY_URL: 'https://pay.example.com',
  EPAY_PID: '1001',
  EPAY_KEY: 'test-epay-merchant-key-0123456789',
};

/**
 * The epay signature written out from the spec, independently of the app's code: every
 * parameter but sign, sign_type and empty values, sorted by key, `k=v&...` unencoded, the key
 * appended, MD5 lowercase hex.
 */
export function epaySignForTest(
  params: Record<string, string>,
  key = EPAY_ENV.EPAY_KEY,
): string {
  const base = Object.keys(params)
    .filter((k) => k !== 'sign' && k !== 'sign_type' && params[k] !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  return createHash('md5')
    .update(base + key)
    .digest('hex');
}

/** A notify as an epay aggregator sends it for a paid order, correctly signed. */
export function epayNotify(
  order: { tradeno: string; money: string },
  overrides: Record<string, string> = {},
  key = EPAY_ENV.EPAY_KEY,
): Record<string, string> {
  const params: Record<string, string> = {
    pid: EPAY_ENV.EPAY_PID,
    trade_no: `EP${order.tradeno.slice(-12)}`,
    out_trade_no: order.tradeno,
    type: 'alipay',
    name: `Top-up ${order.money}`,
    money: order.money,
    trade_status: 'TRADE_SUCCESS',
    ...overrides,
  };
  return { ...params, sign: epaySignForTest(params, key), sign_type: 'MD5' };
}

export interface CreatedOrder {
  order_id: number;
  total: number;
  tradeno: string;
  payment_url: string | null;
  /** The total as the gateway sends it ("12.50"). */
  money: string;
}

/** `POST /payment/create` as the user; expects 201. */
export async function createOrder(
  t: TestApp,
  user: SignedInUser,
  total: number | string,
  gateway = 'alipay',
): Promise<CreatedOrder> {
  const res = await t
    .http()
    .post(`${API}/payment/create`)
    .set(user.auth)
    .send({ total, gateway })
    .expect(201);
  const data = res.body.data as Omit<CreatedOrder, 'money'>;
  return { ...data, money: Number(data.total).toFixed(2) };
}

/** Balances, orders, ledger and payback rows: what a callback may or may not change. */
export async function moneySnapshot(ds: DataSource): Promise<unknown> {
  const [users, orders, logs, paybacks] = await Promise.all([
    ds.getRepository(User).find({
      select: { id: true, money: true, refBy: true },
      order: { id: 'ASC' },
    }),
    ds.getRepository(Paylist).find({ order: { id: 'ASC' } }),
    ds.getRepository(UserMoneyLog).count(),
    ds.getRepository(Payback).find({ order: { id: 'ASC' } }),
  ]);
  return { users, orders, logs, paybacks };
}

export async function moneyOf(ds: DataSource, userId: number): Promise<string> {
  return (await ds.getRepository(User).findOneByOrFail({ id: userId })).money;
}

export async function setRefBy(
  ds: DataSource,
  userId: number,
  refBy: number,
): Promise<void> {
  await ds.getRepository(User).update({ id: userId }, { refBy });
}
