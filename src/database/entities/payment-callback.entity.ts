import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { moneyTransformer } from '../transformers.js';

/**
 * `payment_callback` (ours): every gateway callback attempt and every reconciliation answer,
 * with what came of it — the operators' record of "paid but never credited" disputes.
 */
@Entity({ name: 'payment_callback' })
export class PaymentCallback {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: number;

  /** The gateway name of the notify path (or the reconciled order's gateway). */
  @Column({ type: 'varchar', length: 32 })
  gateway: string;

  /** `notify` or `reconcile`. */
  @Column({ type: 'varchar', length: 16 })
  source: string;

  /** The order, when the callback named one we know. */
  @Column({ name: 'paylist_id', type: 'int', nullable: true })
  paylistId: number | null;

  /** The tradeno the callback named (known or not). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  tradeno: string | null;

  /** credited, already_paid, ignored, rejected, mismatch, error. */
  @Column({ type: 'varchar', length: 16 })
  outcome: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  reason: string | null;

  /** The amount the callback claims, in its currency. */
  @Column({
    type: 'decimal',
    precision: 12,
    scale: 2,
    nullable: true,
    transformer: moneyTransformer,
  })
  amount: string | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  currency: string | null;

  /** The gateway's trade number. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  reference: string | null;

  /** JSON object of gateway specifics (BEPUSDT actual_amount, block_transaction_id). */
  @Column({ type: 'text', nullable: true })
  detail: string | null;

  /** Unix time. */
  @Column({ name: 'created_at', type: 'int' })
  createdAt: number;
}
