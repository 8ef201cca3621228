import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** `detect_list`: audit rules sent to node agents. */
@Entity({ name: 'detect_list' })
export class DetectList {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  text: string;

  @Column({ type: 'text' })
  regex: string;

  @Column({ type: 'int', default: 1 })
  type: number;
}
