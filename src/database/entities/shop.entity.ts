import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { moneyTransformer } from '../transformers.js';

/** `shop`: plans for sale. */
@Entity({ name: 'shop' })
export class Shop {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 128 })
  name: string;

  @Column({
    type: 'decimal',
    precision: 12,
    scale: 2,
    default: 0,
    transformer: moneyTransformer,
  })
  price: string;

  /** Plan content as JSON text (see docs/spec/shop.md). */
  @Column({ type: 'text' })
  content: string;

  /** Days, 0 = none. */
  @Column({ name: 'auto_renew', type: 'int', default: 0 })
  autoRenew: number;

  @Column({ name: 'auto_reset_bandwidth', type: 'tinyint', default: 0 })
  autoResetBandwidth: number;

  /** 1 on sale, 0 off. */
  @Column({ type: 'tinyint', default: 1 })
  status: number;
}
