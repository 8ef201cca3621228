import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** `user_archive` (ours): a deleted user's row, written in the delete's transaction. */
@Entity({ name: 'user_archive' })
export class UserArchive {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @Column({ type: 'varchar', length: 64 })
  email: string;

  /** JSON of the whole `user` row. */
  @Column({ type: 'text' })
  data: string;

  @Column({ type: 'varchar', length: 255 })
  reason: string;

  /** Unix time. */
  @Column({ name: 'archived_at', type: 'int' })
  archivedAt: number;
}
