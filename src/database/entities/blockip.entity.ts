import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** `blockip`: IPs blocked by a node. */
@Entity({ name: 'blockip' })
export class BlockIp {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: number;

  @Column({ type: 'int' })
  nodeid: number;

  @Column({ type: 'varchar', length: 64 })
  ip: string;

  @Column({ type: 'int' })
  datetime: number;
}
