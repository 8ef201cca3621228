import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { moneyTransformer } from '../transformers.js';

/** `bought`: purchase history, one row per purchase or renewal. */
@Entity({ name: 'bought' })
export class Bought {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  userid: number;

  @Column({ type: 'int' })
  shopid: number;

  /** Unix time of the purchase. */
  @Column({ type: 'int' })
  datetime: number;

  /** Unix time of the next renewal, 0 = none. */
  @Column({ type: 'int', default: 0 })
  renew: number;

  /** Coupon code used, '' = none (legacy NOT NULL TEXT). */
  @Column({ type: 'text' })
  coupon: string;

  /** What was actually paid. */
  @Column({
    type: 'decimal',
    precision: 12,
    scale: 2,
    transformer: moneyTransformer,
  })
  price: string;
}
