import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintTransformer, numberTransformer } from '../transformers.js';

/** `ss_node`: proxy nodes. `info` and `status` have no default (legacy): every insert sets them. */
@Entity({ name: 'ss_node' })
export class SsNode {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 128 })
  name: string;

  /** 1 = enabled/shown, 0 = disabled/faulty. */
  @Column({ type: 'int', default: 1 })
  type: number;

  @Column({ type: 'varchar', length: 128 })
  server: string;

  @Column({ type: 'varchar', length: 64, default: 'aes-256-gcm' })
  method: string;

  @Column({ type: 'varchar', length: 128 })
  info: string;

  @Column({ type: 'varchar', length: 128 })
  status: string;

  /** 0 SS, 1–9 SSR, 11 VMess, 13 VLESS, 14 Trojan. */
  @Column({ type: 'int', default: 0 })
  sort: number;

  @Column({
    name: 'traffic_rate',
    type: 'double',
    default: 1,
    transformer: numberTransformer,
  })
  trafficRate: number;

  @Column({ name: 'node_class', type: 'int', default: 0 })
  nodeClass: number;

  @Column({ name: 'node_group', type: 'int', default: 0 })
  nodeGroup: number;

  @Column({
    name: 'node_speedlimit',
    type: 'double',
    default: 0,
    transformer: numberTransformer,
  })
  nodeSpeedlimit: number;

  @Column({ name: 'node_connector', type: 'int', default: 0 })
  nodeConnector: number;

  @Column({
    name: 'node_bandwidth',
    type: 'bigint',
    default: 0,
    transformer: bigintTransformer,
  })
  nodeBandwidth: number;

  /** Bytes, 0 = no limit. */
  @Column({
    name: 'node_bandwidth_limit',
    type: 'bigint',
    default: 0,
    transformer: bigintTransformer,
  })
  nodeBandwidthLimit: number;

  @Column({
    name: 'node_bandwidth_lastday',
    type: 'bigint',
    default: 0,
    transformer: bigintTransformer,
  })
  nodeBandwidthLastday: number;

  @Column({ name: 'bandwidthlimit_resetday', type: 'int', default: 0 })
  bandwidthlimitResetday: number;

  /** Unix time of the last agent contact. */
  @Column({ name: 'node_heartbeat', type: 'int', default: 0 })
  nodeHeartbeat: number;

  @Column({ name: 'node_ip', type: 'text', nullable: true })
  nodeIp: string | null;

  /** Current online users. */
  @Column({ name: 'node_online', type: 'int', default: 0 })
  nodeOnline: number;

  /** JSON for agents (XrayR reads most values as strings). */
  @Column({ name: 'custom_config', type: 'text', nullable: true })
  customConfig: string | null;

  @Column({ name: 'online_user', type: 'int', default: 0 })
  onlineUser: number;
}
