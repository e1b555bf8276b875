import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type {
  AllocationParams,
  AssignmentRow,
  NeedSnapshot,
  RunError,
  RunStats,
} from './allocation.types';

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** One allocation proposal: a job's parameters, progress and outcome. Never binding. */
@Entity({ name: 'allocation_run' })
export class AllocationRun {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 12, default: 'queued' }) status: RunStatus;
  @Column({ type: 'smallint', default: 0 }) progress: number;
  @Column({ type: 'boolean' }) integerVersion: boolean;
  @Column({ type: 'jsonb' }) params: AllocationParams;
  @Column({ type: 'uuid', nullable: true }) requestedBy: string | null;
  @Column({ type: 'double precision', nullable: true }) objective: number | null;
  @Column({ type: 'double precision', nullable: true }) lpObjective: number | null;
  @Column({ type: 'double precision', nullable: true }) gap: number | null;
  @Column({ type: 'double precision', nullable: true }) greedyObjective: number | null;
  @Column({ type: 'double precision', nullable: true }) lpOverGreedy: number | null;
  @Column({ type: 'double precision', nullable: true }) solveSeconds: number | null;
  @Column({ type: 'jsonb', nullable: true }) stats: RunStats | null;
  @Column({ type: 'jsonb', nullable: true }) assignments: AssignmentRow[] | null;
  @Column({ type: 'jsonb', nullable: true }) needSnapshot: NeedSnapshot[] | null;
  @Column({ type: 'jsonb', nullable: true }) error: RunError | null;
  @Column({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) startedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) finishedAt: Date | null;
}
