import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/** One message in a match's discussion; deleting keeps the row (soft delete). */
@Entity({ name: 'match_comment' })
export class MatchComment {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') matchId: string;
  @Column({ type: 'uuid', nullable: true }) authorUserId: string | null;
  @Column({ type: 'uuid', nullable: true }) authorPartyId: string | null;
  @Column('text') body: string;
  @Column({ type: 'timestamptz', nullable: true }) editedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) deletedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
