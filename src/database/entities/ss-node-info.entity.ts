import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { numberTransformer } from '../transformers.js';

/** `ss_node_info`: heartbeat/load reports. */
@Entity({ name: 'ss_node_info' })
export class SsNodeInfo {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: number;

  @Column({ name: 'node_id', type: 'int' })
  nodeId: number;

  @Column({ type: 'double', default: 0, transformer: numberTransformer })
  uptime: number;

  /** `load` is a reserved word in MySQL: raw SQL must quote it. */
  @Column({ type: 'varchar', length: 32 })
  load: string;

  @Column({ name: 'log_time', type: 'int' })
  logTime: number;
}
