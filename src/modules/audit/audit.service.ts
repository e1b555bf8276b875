import { Injectable } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { EntityManager } from 'typeorm';
import type { RequestContext } from '../../common/context/request-context';
import { AuditEntry } from './audit-entry.entity';

export interface AuditInput {
  /** `<entity>.<verb>`, e.g. `need.publish`, `user.deactivate`, `auth.login_failed`. */
  action: string;
  entityType: string;
  entityId?: string | null;
  /** The party owning the changed record. */
  entityPartyId?: string | null;
  before?: object | null;
  after?: object | null;
  metadata?: Record<string, unknown>;
}

const SECRET_FIELD = /password|secret|token|hash|recovery/i;
const REDACTED = '[redacted]';

function normalise(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  return value === undefined ? null : value;
}

/** Changed fields only, `{ field: { before, after } }`, with secrets redacted. */
export function diffFields(before?: object | null, after?: object | null): AuditEntry['changes'] {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const changes: NonNullable<AuditEntry['changes']> = {};
  for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (['updatedAt', 'version'].includes(key)) continue;
    const bv = normalise(b[key]);
    const av = normalise(a[key]);
    if (JSON.stringify(bv) === JSON.stringify(av)) continue;
    changes[key] = SECRET_FIELD.test(key)
      ? { before: REDACTED, after: REDACTED }
      : { before: bv, after: av };
  }
  return Object.keys(changes).length ? changes : null;
}

/**
 * Writes audit entries inside the caller's transaction (pass its EntityManager), so a change
 * and its audit entry are stored together or not at all. The actor comes from the request or
 * job context.
 */
@Injectable()
export class AuditService {
  constructor(private readonly cls: ClsService<RequestContext>) {}

  async record(manager: EntityManager, input: AuditInput): Promise<void> {
    const principal = this.cls.isActive() ? this.cls.get('principal') : undefined;
    const entry = manager.create(AuditEntry, {
      actorKind:
        principal?.kind ?? (this.cls.isActive() && this.cls.get('jobId') ? 'system' : 'anonymous'),
      actorUserId: principal?.userId ?? null,
      actorPartyId: principal?.partyId ?? null,
      actorApiKeyId: principal?.apiKeyId ?? null,
      action: input.action,
      entityType: input.entityType,
      entityId: input.entityId ?? null,
      entityPartyId: input.entityPartyId ?? null,
      changes: diffFields(input.before, input.after),
      metadata: input.metadata ?? null,
      requestId: (this.cls.isActive() && this.cls.get('requestId')) || null,
      jobId: (this.cls.isActive() && (this.cls.get('jobId') ?? principal?.jobId)) || null,
      ip: (this.cls.isActive() && this.cls.get('ip')) || null,
    });
    await manager.save(AuditEntry, entry, { reload: false });
  }
}
