import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** `unblockip`: IPs unblocked. */
@Entity({ name: 'unblockip' })
export class UnblockIp {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: number;

  @Column({ type: 'int', default: 0 })
  nodeid: number;

  /** Legacy SSPanel column (NOT NULL there): the user who unblocked, 0 = none. */
  @Column({ type: 'int', default: 0 })
  userid: number;

  @Column({ type: 'varchar', length: 64 })
  ip: string;

  @Column({ type: 'int' })
  datetime: number;
}
