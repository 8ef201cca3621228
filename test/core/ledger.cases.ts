import { User, UserMoneyLog } from '../../src/database/entities/index.js';
import { LedgerErrorCode } from '../../src/modules/ledger/ledger.exception.js';
import type { BalanceChange } from '../../src/modules/ledger/ledger.types.js';
import { insertAccount } from '../factories/account.factory.js';
import { Core, createCore } from './core-harness.js';

describe('ledger (core)', () => {
  let c: Core;

  beforeAll(async () => {
    c = await createCore();
  });
  afterAll(async () => {
    await c?.close();
  });

  const apply = (change: BalanceChange) =>
    c.ds.transaction((m) => c.ledger.applyBalanceChange(m, change));
  const user = () => insertAccount(c.ds);
  const money = async (id: number) =>
    (await c.ds.getRepository(User).findOneByOrFail({ id })).money;
  const logs = (userId: number) =>
    c.ds
      .getRepository(UserMoneyLog)
      .find({ where: { userId }, order: { id: 'ASC' } });
  /** The change was applied: its log row (the id it returned) holds this before and after. */
  const expectApplied = async (
    applied: Promise<{ logId: number } | null>,
    before: string,
    after: string,
  ) => {
    const result = await applied;
    expect(result).toEqual({ logId: expect.any(Number) });
    const row = await c.ds
      .getRepository(UserMoneyLog)
      .findOneByOrFail({ id: result!.logId });
    expect({ before: row.before, after: row.after }).toEqual({ before, after });
  };

  it('a credit writes the balance and one log row with every field', async () => {
    const u = await user();
    const applied = await apply({
      userId: u.id,
      amountCents: 1234,
      reason: 'topup',
      refType: 'paylist',
      refId: 42,
      note: 'n'.repeat(300),
    });
    expect(applied).toEqual({ logId: expect.any(Number) });
    expect(await money(u.id)).toBe('12.34');
    const [row, ...rest] = await logs(u.id);
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      id: applied!.logId,
      before: '0.00',
      after: '12.34',
      amount: '12.34',
      reason: 'topup',
      refType: 'paylist',
      refId: 42,
      note: 'n'.repeat(255),
    });
    expect(Math.abs(row.createdAt - Date.now() / 1000)).toBeLessThan(60);
  });

  it('without a reference or note the log row holds NULLs', async () => {
    const u = await user();
    await apply({ userId: u.id, amountCents: 5, reason: 'admin' });
    expect(await logs(u.id)).toEqual([
      expect.objectContaining({ refType: null, refId: null, note: null }),
    ]);
  });

  it('a guarded debit needs the whole amount; an exact one goes to zero', async () => {
    const u = await user();
    await apply({ userId: u.id, amountCents: 300, reason: 'topup' });
    expect(
      await apply({
        userId: u.id,
        amountCents: -301,
        reason: 'purchase',
        requireFunds: true,
      }),
    ).toBeNull();
    expect(await money(u.id)).toBe('3.00');
    await expectApplied(
      apply({
        userId: u.id,
        amountCents: -300,
        reason: 'purchase',
        requireFunds: true,
      }),
      '3.00',
      '0.00',
    );
    expect((await logs(u.id)).map((r) => r.amount)).toEqual(['3.00', '-3.00']);
  });

  it('an unguarded debit may go negative; requireFunds does not hold back a credit', async () => {
    const u = await user();
    await expectApplied(
      apply({ userId: u.id, amountCents: -250, reason: 'clawback' }),
      '0.00',
      '-2.50',
    );
    await expectApplied(
      apply({
        userId: u.id,
        amountCents: 100,
        reason: 'topup',
        requireFunds: true,
      }),
      '-2.50',
      '-1.50',
    );
    expect(await money(u.id)).toBe('-1.50');
  });

  it('a missing user changes nothing: null for a credit and for a debit', async () => {
    expect(
      await apply({ userId: 999_999, amountCents: 100, reason: 'topup' }),
    ).toBeNull();
    expect(
      await apply({ userId: 999_999, amountCents: -100, reason: 'admin' }),
    ).toBeNull();
    expect(
      await c.ds.getRepository(UserMoneyLog).countBy({ userId: 999_999 }),
    ).toBe(0);
  });

  it('a credit past DECIMAL(12,2) throws BALANCE_OUT_OF_RANGE and writes nothing; up to the ceiling works', async () => {
    const u = await user();
    await apply({
      userId: u.id,
      amountCents: 999_999_999_000,
      reason: 'admin',
    });
    await expect(
      apply({ userId: u.id, amountCents: 1000, reason: 'admin' }),
    ).rejects.toMatchObject({
      code: LedgerErrorCode.BALANCE_OUT_OF_RANGE,
      message: 'A credit of 10.00 would take the balance past 9999999999.99',
    });
    expect(await money(u.id)).toBe('9999999990.00');
    await expectApplied(
      apply({ userId: u.id, amountCents: 999, reason: 'admin' }),
      '9999999990.00',
      '9999999999.99',
    );
    // A debit from the ceiling is not a credit: no range check gets in its way.
    await expectApplied(
      apply({ userId: u.id, amountCents: -1, reason: 'admin' }),
      '9999999999.99',
      '9999999999.98',
    );
  });

  it('refuses an amount that is not a whole number of cents, writing nothing', async () => {
    const u = await user();
    for (const amountCents of [1.5, Number.NaN, 2 ** 53])
      await expect(
        apply({ userId: u.id, amountCents, reason: 'admin' }),
      ).rejects.toThrow(new TypeError('amountCents must be an integer'));
    expect(await logs(u.id)).toEqual([]);
  });

  it('findProblems names each kind of disagreement, and nothing once consistent', async () => {
    const users = c.ds.getRepository(User);
    const logRepo = c.ds.getRepository(UserMoneyLog);
    expect(await c.ledger.findProblems()).toEqual([]);

    const badRow = await user();
    await apply({ userId: badRow.id, amountCents: 100, reason: 'topup' });
    const [row] = await logs(badRow.id);
    await logRepo.update({ id: row.id }, { amount: '2.00' });

    const drifted = await user();
    await apply({ userId: drifted.id, amountCents: 100, reason: 'topup' });
    await users.update({ id: drifted.id }, { money: '5.00' });

    const unrecorded = await user();
    await users.update({ id: unrecorded.id }, { money: '3.00' });

    // Each row adds up and the latest matches money, but the chain has a gap between rows.
    const gap = await user();
    await apply({ userId: gap.id, amountCents: 100, reason: 'topup' });
    await apply({ userId: gap.id, amountCents: 100, reason: 'topup' });
    const [first] = await logs(gap.id);
    await logRepo.update({ id: first.id }, { before: '0.50', after: '1.50' });

    const problems = await c.ledger.findProblems();
    // The corrupted row breaks its user's sum as well.
    expect(problems).toHaveLength(5);
    expect(problems).toEqual(
      expect.arrayContaining([
        {
          user_id: badRow.id,
          problem: `log row ${row.id}: after ≠ before + amount`,
        },
        { user_id: badRow.id, problem: 'ledger amounts do not add up' },
        {
          user_id: drifted.id,
          // The driver gives DECIMAL as text on MariaDB, as a number on SQLite.
          problem: expect.stringMatching(
            /^money 5(\.00)? ≠ latest ledger after 1(\.00)?$/,
          ),
        },
        {
          user_id: unrecorded.id,
          problem: expect.stringMatching(/^money 3(\.00)? but no ledger rows$/),
        },
        { user_id: gap.id, problem: 'ledger amounts do not add up' },
      ]),
    );

    await logRepo.update({ id: row.id }, { amount: '1.00' });
    await users.update({ id: drifted.id }, { money: '1.00' });
    await users.update({ id: unrecorded.id }, { money: '0.00' });
    await logRepo.update({ id: first.id }, { before: '0.00', after: '1.00' });
    expect(await c.ledger.findProblems()).toEqual([]);
  });
});
