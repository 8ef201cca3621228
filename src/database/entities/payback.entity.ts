import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { moneyTransformer } from '../transformers.js';

/** `payback`: the referral ledger. UNIQUE(paylist_id, level) makes a double commission impossible. */
@Entity({ name: 'payback' })
export class Payback {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  /** The payment that earned it; -1 registration reward, -2 clawback. */
  @Column({
    type: 'decimal',
    precision: 12,
    scale: 2,
    transformer: moneyTransformer,
  })
  total: string;

  /** The referee. */
  @Column({ type: 'int' })
  userid: number;

  /** The referrer who earned it. */
  @Column({ name: 'ref_by', type: 'int' })
  refBy: number;

  /** Amount credited, negative for a clawback. */
  @Column({
    name: 'ref_get',
    type: 'decimal',
    precision: 12,
    scale: 2,
    transformer: moneyTransformer,
  })
  refGet: string;

  @Column({ type: 'int' })
  datetime: number;

  /** 0 none, 1 clawed back. */
  @Column({ type: 'int', default: 0 })
  callback: number;

  /** The order that earned it; NULL for registration rewards and clawbacks. */
  @Column({ name: 'paylist_id', type: 'int', nullable: true })
  paylistId: number | null;

  @Column({ type: 'int', default: 1 })
  level: number;
}
