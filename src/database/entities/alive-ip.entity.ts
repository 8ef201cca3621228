import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** `alive_ip`: online (user, IP) pairs reported by node agents; rows older than 300 s are deleted. */
@Entity({ name: 'alive_ip' })
export class AliveIp {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: number;

  @Column({ type: 'int' })
  nodeid: number;

  @Column({ type: 'int' })
  userid: number;

  @Column({ type: 'varchar', length: 64 })
  ip: string;

  /** Unix time last seen. */
  @Column({ type: 'int' })
  datetime: number;
}
