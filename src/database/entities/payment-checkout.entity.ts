import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * `payment_checkout` (ours): what a gateway answered when an order's payment was started —
 * its currency, the gateway's id of the checkout (reconciliation asks about it) and where the
 * user pays, so the checkout route never opens a second payable session for one order.
 */
@Entity({ name: 'payment_checkout' })
export class PaymentCheckout {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  /** UNIQUE: one checkout per order. */
  @Column({ name: 'paylist_id', type: 'int' })
  paylistId: number;

  @Column({ type: 'varchar', length: 32 })
  gateway: string;

  /** ISO 4217 upper case; the order's amount is in this currency. */
  @Column({ type: 'varchar', length: 8 })
  currency: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  ref: string | null;

  @Column({ name: 'pay_url', type: 'text', nullable: true })
  payUrl: string | null;

  @Column({ name: 'qr_code', type: 'text', nullable: true })
  qrCode: string | null;

  /** Unix time. */
  @Column({ name: 'created_at', type: 'int' })
  createdAt: number;
}
