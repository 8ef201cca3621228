import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { moneyTransformer } from '../transformers.js';

/**
 * `user_money_log` (ours): every balance change. Invariant: a user's latest `after` equals
 * `user.money`, and `after = before + amount` on every row.
 */
@Entity({ name: 'user_money_log' })
export class UserMoneyLog {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  /** `before` is a reserved word in MySQL: raw SQL must quote it. */
  @Column({
    type: 'decimal',
    precision: 12,
    scale: 2,
    transformer: moneyTransformer,
  })
  before: string;

  @Column({
    type: 'decimal',
    precision: 12,
    scale: 2,
    transformer: moneyTransformer,
  })
  after: string;

  /** Signed change. */
  @Column({
    type: 'decimal',
    precision: 12,
    scale: 2,
    transformer: moneyTransformer,
  })
  amount: string;

  /** topup, purchase, commission, invite_reward, clawback, admin, refund. */
  @Column({ type: 'varchar', length: 32 })
  reason: string;

  /** Which record caused it: paylist, bought, payback, ... */
  @Column({ name: 'ref_type', type: 'varchar', length: 32, nullable: true })
  refType: string | null;

  @Column({ name: 'ref_id', type: 'int', nullable: true })
  refId: number | null;

  /** Free text, e.g. an admin's reason. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  note: string | null;

  /** Unix time. */
  @Column({ name: 'created_at', type: 'int' })
  createdAt: number;
}
