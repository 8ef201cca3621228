import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** `detect_log`: audit rule hits reported by node agents. */
@Entity({ name: 'detect_log' })
export class DetectLog {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @Column({ name: 'list_id', type: 'int' })
  listId: number;

  @Column({ name: 'node_id', type: 'int' })
  nodeId: number;

  @Column({ type: 'int' })
  datetime: number;
}
