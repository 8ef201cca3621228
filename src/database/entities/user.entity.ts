import { Column, Entity, Generated, PrimaryGeneratedColumn } from 'typeorm';
import {
  bigintTransformer,
  moneyTransformer,
  numberTransformer,
} from '../transformers.js';

/**
 * `user`: accounts, their proxy credentials, quota and level (legacy SSPanel table, 60+ columns
 * in real databases; only these are mapped). Never return it from an API: it carries `pass`.
 *
 * `userName`, `regDate`, `theme`, `gaToken`, `inviteNum`, `email`, `pass`, `passwd` and `port`
 * have no database default (legacy databases declare them NOT NULL without one): every insert
 * sets them. Indices live in the migrations, not here.
 */
@Entity({ name: 'user' })
export class User {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ name: 'user_name', type: 'varchar', length: 128 })
  userName: string;

  @Column({ type: 'varchar', length: 64 })
  email: string;

  /** Password hash (bcrypt/argon2). */
  @Column({ type: 'varchar', length: 255 })
  pass: string;

  /** Shadowsocks password given to nodes. */
  @Column({ type: 'varchar', length: 64 })
  passwd: string;

  /** VMess/VLESS/Trojan id; generated on insert when not set. */
  @Column({ type: 'varchar', length: 64 })
  @Generated('uuid')
  uuid: string;

  @Column({ type: 'int' })
  port: number;

  @Column({ type: 'varchar', length: 64, default: 'aes-256-gcm' })
  method: string;

  @Column({ type: 'varchar', length: 128, default: 'origin' })
  protocol: string;

  @Column({ type: 'varchar', length: 128, default: 'plain' })
  obfs: string;

  /** Unix time of the last traffic. */
  @Column({ type: 'int', default: 0 })
  t: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer })
  u: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer })
  d: number;

  @Column({
    name: 'transfer_enable',
    type: 'bigint',
    default: 0,
    transformer: bigintTransformer,
  })
  transferEnable: number;

  @Column({
    name: 'transfer_limit',
    type: 'bigint',
    default: 0,
    transformer: bigintTransformer,
  })
  transferLimit: number;

  @Column({
    name: 'last_day_t',
    type: 'bigint',
    default: 0,
    transformer: bigintTransformer,
  })
  lastDayT: number;

  /** Mbps, 0 = unlimited (DECIMAL in some legacy databases, hence the transformer). */
  @Column({
    name: 'node_speedlimit',
    type: 'double',
    default: 0,
    transformer: numberTransformer,
  })
  nodeSpeedlimit: number;

  /** Device (IP) limit, 0 = unlimited. */
  @Column({ name: 'node_connector', type: 'int', default: 0 })
  nodeConnector: number;

  @Column({ type: 'tinyint', default: 1 })
  switch: number;

  @Column({ type: 'tinyint', default: 1 })
  enable: number;

  @Column({ name: 'is_admin', type: 'tinyint', default: 0 })
  isAdmin: number;

  @Column({
    type: 'decimal',
    precision: 12,
    scale: 2,
    default: 0,
    transformer: moneyTransformer,
  })
  money: string;

  /** Referrer's user id, 0 = none. */
  @Column({ name: 'ref_by', type: 'int', default: 0 })
  refBy: number;

  @Column({ type: 'int', default: 0 })
  score: number;

  @Column({ name: 'ban_times', type: 'int', default: 0 })
  banTimes: number;

  /** User level (column `class`). */
  @Column({ name: 'class', type: 'int', default: 0 })
  classLevel: number;

  @Column({
    name: 'class_expire',
    type: 'datetime',
    default: '1970-01-01 00:00:00',
  })
  classExpire: Date;

  @Column({
    name: 'expire_in',
    type: 'datetime',
    default: '2099-12-31 00:00:00',
  })
  expireIn: Date;

  @Column({ name: 'node_group', type: 'int', default: 0 })
  nodeGroup: number;

  /** Last warning shown to the user (why the account was disabled). */
  @Column({ type: 'text', nullable: true })
  warming: string | null;

  @Column({ name: 'rss_count', type: 'int', default: 0 })
  rssCount: number;

  @Column({ name: 'rss_count_lastday', type: 'int', default: 0 })
  rssCountLastday: number;

  @Column({ name: 'rss_ips_count', type: 'int', default: 0 })
  rssIpsCount: number;

  @Column({ name: 'rss_ips_lastday', type: 'int', default: 0 })
  rssIpsLastday: number;

  @Column({ name: 'last_check_in_time', type: 'int', default: 0 })
  lastCheckInTime: number;

  /** Unix time of the next traffic cycle reset. */
  @Column({ name: 'renew_time', type: 'int', default: 0 })
  renewTime: number;

  @Column({ name: 'reg_date', type: 'datetime' })
  regDate: Date;

  @Column({
    name: 'reg_ip',
    type: 'varchar',
    length: 128,
    default: '127.0.0.1',
  })
  regIp: string;

  /** This user's own invite code; NULL until assigned (adopted users). */
  @Column({ name: 'invite_code', type: 'varchar', length: 32, nullable: true })
  inviteCode: string | null;

  /** Legacy NOT NULL column without default (PHP panel's UI theme). */
  @Column({ type: 'varchar', length: 128 })
  theme: string;

  /** Legacy NOT NULL column without default (PHP panel's 2FA secret). */
  @Column({ name: 'ga_token', type: 'varchar', length: 128 })
  gaToken: string;

  /** Legacy NOT NULL column without default (invites left). */
  @Column({ name: 'invite_num', type: 'int' })
  inviteNum: number;
}
