import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * `traffic_report` (ours): makes traffic reports idempotent; UNIQUE(node_id, report_key) turns a
 * resent body into a duplicate-key insert. Rows older than a day are cleaned.
 */
@Entity({ name: 'traffic_report' })
export class TrafficReport {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: number;

  @Column({ name: 'node_id', type: 'int' })
  nodeId: number;

  /** Hash of the body, or the agent's report id. */
  @Column({ name: 'report_key', type: 'varchar', length: 64 })
  reportKey: string;

  /** Unix time. */
  @Column({ name: 'received_at', type: 'int' })
  receivedAt: number;
}
