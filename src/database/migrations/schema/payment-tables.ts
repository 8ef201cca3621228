import { col, NULLABLE, type TableSpec } from './table-spec.js';

/**
 * Our payment tables, as created by `PaymentGateways1732516000000` (frozen with it).
 * `payment_checkout`: one row per order whose gateway started a payment (currency, the
 * gateway's checkout id, where to pay). `payment_callback`: every callback attempt and
 * reconciliation answer with its outcome.
 */
export const paymentCheckoutTable: TableSpec = {
  name: 'payment_checkout',
  ours: true,
  columns: [
    col.id(),
    col.int('paylist_id'),
    col.varchar('gateway', 32),
    col.varchar('currency', 8),
    col.varchar('ref', 128, undefined, NULLABLE),
    col.text('pay_url', NULLABLE),
    col.text('qr_code', NULLABLE),
    col.int('created_at'),
  ],
  indices: [
    {
      name: 'uq_payment_checkout_paylist',
      columns: ['paylist_id'],
      unique: true,
    },
  ],
};

export const paymentCallbackTable: TableSpec = {
  name: 'payment_callback',
  ours: true,
  columns: [
    col.id('bigint'),
    col.varchar('gateway', 32),
    col.varchar('source', 16),
    col.int('paylist_id', undefined, NULLABLE),
    col.varchar('tradeno', 64, undefined, NULLABLE),
    col.varchar('outcome', 16),
    col.varchar('reason', 255, undefined, NULLABLE),
    col.money('amount', undefined, NULLABLE),
    col.varchar('currency', 8, undefined, NULLABLE),
    col.varchar('reference', 128, undefined, NULLABLE),
    // JSON text (portable: SQLite has no JSON column type).
    col.text('detail', NULLABLE),
    col.int('created_at'),
  ],
  indices: [
    // The admin list: newest first, by order, by gateway and outcome.
    { name: 'idx_payment_callback_paylist', columns: ['paylist_id'] },
    {
      name: 'idx_payment_callback_gateway_outcome',
      columns: ['gateway', 'outcome', 'id'],
    },
  ],
};
