import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** `ss_node_online_log`: online user counts per node over time. */
@Entity({ name: 'ss_node_online_log' })
export class SsNodeOnlineLog {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: number;

  @Column({ name: 'node_id', type: 'int' })
  nodeId: number;

  @Column({ name: 'online_user', type: 'int', default: 0 })
  onlineUser: number;

  @Column({ name: 'log_time', type: 'int' })
  logTime: number;
}
