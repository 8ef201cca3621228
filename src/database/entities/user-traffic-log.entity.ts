import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintTransformer, numberTransformer } from '../transformers.js';

/** `user_traffic_log`: one row per (user, report) when TRAFFIC_LOG is on. */
@Entity({ name: 'user_traffic_log' })
export class UserTrafficLog {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer })
  u: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer })
  d: number;

  @Column({ name: 'node_id', type: 'int' })
  nodeId: number;

  @Column({ type: 'double', default: 1, transformer: numberTransformer })
  rate: number;

  /** Human-readable amount, e.g. "1.5GB". */
  @Column({ type: 'varchar', length: 32, default: '' })
  traffic: string;

  @Column({ name: 'log_time', type: 'int' })
  logTime: number;
}
