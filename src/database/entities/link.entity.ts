import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintTransformer } from '../transformers.js';

/** `link.type` of a subscription token (SSPanel / the seed origin). */
export const SUBSCRIPTION_LINK_TYPE = 11;

/**
 * `link` (legacy SSPanel): per-user link rows; `type = 11` holds the subscription token.
 * `address` has no default (legacy NOT NULL TEXT): every insert sets it.
 */
@Entity({ name: 'link' })
export class Link {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  type: number;

  @Column({ type: 'text' })
  address: string;

  @Column({ type: 'int', default: 0 })
  port: number;

  @Column({ type: 'varchar', length: 64 })
  token: string;

  @Column({ type: 'int', default: 0 })
  ios: number;

  @Column({ type: 'bigint', transformer: bigintTransformer })
  userid: number;

  @Column({ type: 'text', nullable: true })
  isp: string | null;

  @Column({ type: 'int', nullable: true })
  geo: number | null;

  @Column({ type: 'text', nullable: true })
  method: string | null;
}
