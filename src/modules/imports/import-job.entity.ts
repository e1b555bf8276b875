import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { Principal } from '../../common/access/roles';
import type { ImportFormat, ImportKind, ImportProblem } from './import-rows';

export const IMPORT_STATUSES = ['queued', 'running', 'completed', 'rejected', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** One bulk import: the file, who asked, and its progress and outcome. */
@Entity({ name: 'import_job' })
export class ImportJob {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 10 })
  kind: ImportKind;

  @Column({ type: 'varchar', length: 4 })
  format: ImportFormat;

  /** The party the records are filed for (the importing party). */
  @Column('uuid')
  partyId: string;

  @Column({ type: 'uuid', nullable: true })
  requestedBy: string | null;

  /** Who the records are created as (the requester, replayed by the worker). */
  @Column({ type: 'jsonb' })
  principal: Principal;

  @Column({ type: 'varchar', length: 12, default: 'queued' })
  status: ImportStatus;

  @Column({ type: 'int', default: 0 })
  total: number;

  @Column({ type: 'int', default: 0 })
  processed: number;

  @Column({ type: 'int', default: 0 })
  created: number;

  @Column({ type: 'int', default: 0 })
  updated: number;

  @Column({ type: 'int', default: 0 })
  unchanged: number;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  errors: ImportProblem[];

  @Column({ type: 'text', select: false })
  content: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
