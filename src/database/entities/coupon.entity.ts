import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** `coupon`: discount codes. */
@Entity({ name: 'coupon' })
export class Coupon {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 64 })
  code: string;

  /** Uses per user. */
  @Column({ type: 'int', default: 1 })
  onetime: number;

  /** Unix expiry. */
  @Column({ type: 'int' })
  expire: number;

  /** Comma-separated shop ids, '' = all. */
  @Column({ type: 'text' })
  shop: string;

  /** Percent off. */
  @Column({ type: 'int', default: 0 })
  credit: number;

  /** Total uses allowed, 0 = unlimited. */
  @Column({ name: 'total_limit', type: 'int', default: 0 })
  totalLimit: number;

  @Column({ type: 'int', default: 0 })
  used: number;
}
