import { addToBalanceQuery, insertLogAfterChangeQuery } from './ledger-sql.js';

const q = (name: string) => `\`${name}\``;

describe('ledger SQL builders', () => {
  it.each([
    // amount cents, requireFunds, expected WHERE tail, expected params
    [
      1250,
      false,
      ' AND money + ? <= CAST(? AS DECIMAL(14, 2))',
      ['12.50', 7, '12.50', '9999999999.99'],
    ],
    [
      1250,
      true,
      ' AND money + ? <= CAST(? AS DECIMAL(14, 2))',
      ['12.50', 7, '12.50', '9999999999.99'],
    ],
    [-1250, true, ' AND money >= ?', ['-12.50', 7, '12.50']],
    [-1250, false, '', ['-12.50', 7]],
    [0, true, '', ['0.00', 7]],
  ])(
    'a change of %i cents (requireFunds %s) is guarded by "%s"',
    (cents, requireFunds, tail, params) => {
      const query = addToBalanceQuery(q, 7, cents, requireFunds);
      expect(query.sql).toBe(
        'UPDATE `user` SET `money` = ROUND(money + ?, 2) WHERE `id` = ?' + tail,
      );
      expect(query.params).toEqual(params);
    },
  );

  it('writes every ledger column, before and after from the changed row, absent ones as NULL', () => {
    const query = insertLogAfterChangeQuery(q, {
      userId: 7,
      amount: '1.50',
      reason: 'topup',
      refType: null,
      refId: null,
      note: null,
      createdAt: 1_700_000_000,
    });
    expect(query.sql).toBe(
      'INSERT INTO `user_money_log` (`user_id`, `before`, `after`, `amount`, `reason`, `ref_type`, `ref_id`, `note`, `created_at`) ' +
        'SELECT `id`, ROUND(`money` - ?, 2), `money`, ?, ?, ?, ?, ?, ? FROM `user` WHERE `id` = ?',
    );
    expect(query.params).toEqual([
      '1.50',
      '1.50',
      'topup',
      null,
      null,
      null,
      1_700_000_000,
      7,
    ]);
  });
});
