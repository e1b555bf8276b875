import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type ActorKind = 'user' | 'api_key' | 'system' | 'anonymous';

/** One state change. Append-only: the database refuses UPDATE, DELETE and TRUNCATE on it. */
@Entity({ name: 'audit_entry' })
export class AuditEntry {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @CreateDateColumn({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'varchar', length: 16 })
  actorKind: ActorKind;

  @Column({ type: 'uuid', nullable: true })
  actorUserId: string | null;

  @Column({ type: 'uuid', nullable: true })
  actorPartyId: string | null;

  @Column({ type: 'uuid', nullable: true })
  actorApiKeyId: string | null;

  /** E.g. `need.publish`, `user.create`, `auth.login_failed`. */
  @Column({ type: 'varchar', length: 80 })
  action: string;

  @Column({ type: 'varchar', length: 40 })
  entityType: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  entityId: string | null;

  /** The party that owns the changed record, for filtering. */
  @Column({ type: 'uuid', nullable: true })
  entityPartyId: string | null;

  /** Changed fields only: `{ field: { before, after } }`. Secrets never appear here. */
  @Column({ type: 'jsonb', nullable: true })
  changes: Record<string, { before: unknown; after: unknown }> | null;

  @Column({ type: 'jsonb', nullable: true })
  metadata: Record<string, unknown> | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  jobId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;
}
