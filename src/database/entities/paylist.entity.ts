import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { moneyTransformer } from '../transformers.js';

/**
 * `paylist`: top-up orders. `tradeno` is TEXT without a key on adopted databases: idempotency
 * comes from conditional updates, never from an index.
 */
@Entity({ name: 'paylist' })
export class Paylist {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  userid: number;

  @Column({
    type: 'decimal',
    precision: 12,
    scale: 2,
    transformer: moneyTransformer,
  })
  total: string;

  /** 0 unpaid, 1 paid, -1 expired. */
  @Column({ type: 'int', default: 0 })
  status: number;

  @Column({ type: 'varchar', length: 64 })
  tradeno: string;

  /** Unix creation time. */
  @Column({ type: 'int', default: 0 })
  datetime: number;

  @Column({ type: 'varchar', length: 32, nullable: true })
  gateway: string | null;

  @Column({ name: 'paid_at', type: 'int', nullable: true })
  paidAt: number | null;

  /** The gateway's own trade number (UNIQUE with gateway). */
  @Column({ name: 'callback_no', type: 'varchar', length: 128, nullable: true })
  callbackNo: string | null;
}
