import { DataSource } from 'typeorm';
import { User } from '../../src/database/entities/index.js';

const DAY_MS = 86_400_000;
let counter = 0;

export const unixSecondsAgo = (seconds: number): number =>
  Math.floor(Date.now() / 1000) - seconds;
export const daysAgo = (days: number): Date =>
  new Date(Date.now() - days * DAY_MS);

/**
 * Inserts a user straight into the table (jobs tests need hundreds of precise rows, not HTTP
 * sign-ups). The defaults match no maintenance rule: enabled, level 0, used and checked in
 * just now, registered yesterday, no money, level and account valid for a year. Override columns to put the user
 * on one side of a rule's threshold.
 */
export async function insertAccount(
  ds: DataSource,
  values: Partial<User> = {},
): Promise<User> {
  const n = ++counter;
  const nowS = Math.floor(Date.now() / 1000);
  const repo = ds.getRepository(User);
  const result = await repo.insert({
    userName: `acct-${n}`,
    email: `acct${process.pid}x${n}@example.com`,
    pass: 'x',
    passwd: `pw${n}`,
    port: 20_000 + n,
    theme: 'default',
    gaToken: '',
    inviteNum: 0,
    enable: 1,
    isAdmin: 0,
    classLevel: 0,
    t: nowS,
    u: 0,
    d: 0,
    money: '0.00',
    lastCheckInTime: nowS,
    renewTime: nowS + 365 * 86_400,
    regDate: daysAgo(1),
    classExpire: new Date(Date.now() + 365 * DAY_MS),
    expireIn: new Date(Date.now() + 365 * DAY_MS),
    ...values,
  });
  return repo.findOneByOrFail({ id: Number(result.identifiers[0].id) });
}

export async function reloadAccount(
  ds: DataSource,
  id: number,
): Promise<User | null> {
  return ds.getRepository(User).findOneBy({ id });
}
