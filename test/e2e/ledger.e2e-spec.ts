import { User, UserMoneyLog } from '../../src/database/entities/index.js';
import { LedgerService } from '../../src/modules/ledger/ledger.service.js';
import { signUp } from '../factories/user.factory.js';
import { createTestApp, TestApp } from '../utils/test-app.js';

describe('ledger (e2e)', () => {
  let t: TestApp;
  let ledger: LedgerService;

  beforeAll(async () => {
    t = await createTestApp();
    ledger = t.app.get(LedgerService);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The change, and the balance its transaction then reads (LedgerService.balanceCents). */
  const credit = (userId: number, amountCents: number, requireFunds = false) =>
    t.dataSource.transaction(async (m) => {
      const applied = await ledger.applyBalanceChange(m, {
        userId,
        amountCents,
        reason: amountCents > 0 ? 'topup' : 'purchase',
        requireFunds,
      });
      return (
        applied && {
          ...applied,
          afterCents: await ledger.balanceCents(m, userId),
        }
      );
    });
  const money = async (id: number) =>
    (await t.dataSource.getRepository(User).findOneByOrFail({ id })).money;

  it('a credit changes the balance and writes before/after/amount', async () => {
    const user = await signUp(t);
    const applied = await credit(user.id, 1234);
    expect(applied).toMatchObject({ afterCents: 1234 });
    expect(await money(user.id)).toBe('12.34');
    const rows = await t.dataSource
      .getRepository(UserMoneyLog)
      .findBy({ userId: user.id });
    expect(rows).toEqual([
      expect.objectContaining({
        id: applied?.logId,
        before: '0.00',
        after: '12.34',
        amount: '12.34',
        reason: 'topup',
      }),
    ]);
  });

  it('exact cents survive many small changes (no float drift on SQLite REAL)', async () => {
    const user = await signUp(t);
    for (let i = 0; i < 10; i++) await credit(user.id, 10); // 10 × 0.10
    await credit(user.id, -30);
    expect(await money(user.id)).toBe('0.70');
    expect(await ledger.findProblems()).toEqual([]);
  });

  it('50 concurrent guarded debits with funds for exactly 3: 3 succeed, never below zero', async () => {
    const user = await signUp(t);
    await credit(user.id, 300);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => credit(user.id, -100, true)),
    );
    const succeeded = results.filter(
      (r) => r.status === 'fulfilled' && r.value !== null,
    );
    const failedWithError = results.filter((r) => r.status === 'rejected');
    expect(failedWithError).toEqual([]);
    expect(succeeded).toHaveLength(3);
    expect(await money(user.id)).toBe('0.00');
    expect(
      await t.dataSource
        .getRepository(UserMoneyLog)
        .countBy({ userId: user.id, reason: 'purchase' }),
    ).toBe(3);
    expect(await ledger.findProblems()).toEqual([]);
  });

  it('an unguarded debit may go negative (clawback); a missing user changes nothing', async () => {
    const user = await signUp(t);
    expect(await credit(user.id, -250)).toMatchObject({ afterCents: -250 });
    expect(await money(user.id)).toBe('-2.50');
    expect(
      await t.dataSource
        .getRepository(UserMoneyLog)
        .findBy({ userId: user.id }),
    ).toEqual([
      expect.objectContaining({
        before: '0.00',
        after: '-2.50',
        amount: '-2.50',
      }),
    ]);
    expect(await credit(999_999, 100)).toBeNull();
  });

  it('a rolled-back transaction leaves neither balance nor log row', async () => {
    const user = await signUp(t);
    await expect(
      t.dataSource.transaction(async (m) => {
        await ledger.applyBalanceChange(m, {
          userId: user.id,
          amountCents: 500,
          reason: 'admin',
        });
        throw new Error('injected failure');
      }),
    ).rejects.toThrow('injected failure');
    expect(await money(user.id)).toBe('0.00');
    expect(
      await t.dataSource
        .getRepository(UserMoneyLog)
        .countBy({ userId: user.id }),
    ).toBe(0);
  });

  it('a statement outside a transaction never joins (and rolls back with) another open one', async () => {
    const [a, b] = [await signUp(t), await signUp(t)];
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const failing = t.dataSource.transaction(async (m) => {
      await ledger.applyBalanceChange(m, {
        userId: a.id,
        amountCents: 100,
        reason: 'admin',
      });
      entered();
      await new Promise((r) => setTimeout(r, 50));
      throw new Error('injected failure');
    });
    await inside;
    // A concurrent request's own statement, issued while the transaction above is open.
    await t.dataSource.getRepository(User).update({ id: b.id }, { t: 12345 });
    await expect(failing).rejects.toThrow('injected failure');
    expect(await money(a.id)).toBe('0.00');
    expect(
      (await t.dataSource.getRepository(User).findOneByOrFail({ id: b.id })).t,
    ).toBe(12345);
  });

  it('findProblems names users whose money drifted from the ledger', async () => {
    const drifted = await signUp(t);
    await credit(drifted.id, 100);
    await t.dataSource
      .getRepository(User)
      .update({ id: drifted.id }, { money: '5.00' });
    const unrecorded = await signUp(t);
    await t.dataSource
      .getRepository(User)
      .update({ id: unrecorded.id }, { money: '3.00' });
    const problems = await ledger.findProblems();
    expect(problems.map((p) => p.user_id).sort((x, y) => x - y)).toEqual(
      [drifted.id, unrecorded.id].sort((x, y) => x - y),
    );
    // put them right for the other tests
    await t.dataSource
      .getRepository(User)
      .update({ id: drifted.id }, { money: '1.00' });
    await t.dataSource
      .getRepository(User)
      .update({ id: unrecorded.id }, { money: '0.00' });
    expect(await ledger.findProblems()).toEqual([]);
  });
});
