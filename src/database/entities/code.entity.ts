import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { moneyTransformer } from '../transformers.js';

/** `code`: the legacy recharge-code table, kept for compatibility. */
@Entity({ name: 'code' })
export class RechargeCode {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'text' })
  code: string;

  @Column({ type: 'int' })
  type: number;

  @Column({
    type: 'decimal',
    precision: 12,
    scale: 2,
    transformer: moneyTransformer,
  })
  number: string;

  @Column({ type: 'int', default: 0 })
  isused: number;

  @Column({ type: 'int', default: 0 })
  userid: number;

  @Column({ type: 'datetime', default: '1970-01-01 00:00:00' })
  usedatetime: Date;
}
