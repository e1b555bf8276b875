import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { ClsService } from 'nestjs-cls';
import { DataSource, EntityManager } from 'typeorm';
import { hasRole, Principal } from '../../common/access/roles';
import type { RequestContext } from '../../common/context/request-context';
import { AppException } from '../../common/errors';
import { QueueService } from '../../queue/queue.service';
import { AuditService } from '../audit/audit.service';
import { CreateNeedDto } from '../needs/dto/need.dto';
import { NeedsService } from '../needs/needs.service';
import { CreateOfferDto } from '../offers/dto/offer.dto';
import { OffersService } from '../offers/offers.service';
import { Party } from '../parties/party.entity';
import { CreatePlanDto } from '../plans/dto/plan.dto';
import { PlansService } from '../plans/plans.service';
import { CreateImportDto, ImportStatusDto } from './dto/import.dto';
import { ImportJob } from './import-job.entity';
import { csvField, ImportKind, ImportProblem, readImportFile, ValidRow } from './import-rows';

const TABLE: Record<ImportKind, string> = {
  needs: 'need',
  offers: 'offer',
  plans: 'national_action_plan',
};

type Outcome = 'created' | 'updated' | 'unchanged';

/** Thrown inside the import transaction to roll it back when any row is bad. */
class Rejected extends Error {}

/** A stable digest of a row's content: keys sorted, so field order in the file does not matter. */
function digest(value: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .sort()
          .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex');
}

export function toImportStatusDto(job: ImportJob): ImportStatusDto {
  return {
    id: job.id,
    kind: job.kind,
    format: job.format,
    partyId: job.partyId,
    status: job.status,
    total: job.total,
    processed: job.processed,
    created: job.created,
    updated: job.updated,
    unchanged: job.unchanged,
    errors: job.errors,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
  };
}

/**
 * Bulk imports of needs, plans and offers. The rule is **all or nothing per file**: every row
 * is validated with the API's rules and passed to the service's own `create` (or `update`)
 * inside one transaction, each in a savepoint so every bad row is reported; if any row is
 * bad the transaction is rolled back and nothing is stored. Each row carries a stable
 * `externalRef` (unique per party): a row whose content is unchanged since its last import is
 * left alone, a changed one updates its record, a new one creates a record.
 */
@Injectable()
export class ImportsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly queues: QueueService,
    private readonly needs: NeedsService,
    private readonly offers: OffersService,
    private readonly plans: PlansService,
    private readonly audit: AuditService,
    private readonly cls: ClsService<RequestContext>,
  ) {}

  /** The party the records are filed for; 403 for a caller who may not import this kind. */
  async importingParty(
    principal: Principal,
    kind: ImportKind,
    partyId: string | undefined,
  ): Promise<Party> {
    const secretariat = hasRole(principal, 'secretariat');
    const role = kind === 'offers' ? 'donor_focal_point' : 'national_contact';
    if (!secretariat) {
      if (!hasRole(principal, role) || !principal.partyId) {
        throw new AppException(
          'FORBIDDEN',
          `Only ${kind === 'offers' ? "a party's donor focal points" : "a State's national contacts"} or the secretariat may import ${kind}`,
        );
      }
      if (partyId !== undefined && partyId !== principal.partyId) {
        throw new AppException('FORBIDDEN', 'Only the secretariat may import for another party');
      }
    } else if (!partyId && !principal.partyId) {
      throw new AppException('VALIDATION_FAILED', 'Invalid input: partyId', [
        { field: 'partyId', messages: ['partyId is required when the secretariat imports'] },
      ]);
    }
    const id = partyId ?? principal.partyId!;
    const party = await this.db.getRepository(Party).findOne({ where: { id } });
    const needsState = kind !== 'offers';
    if (!party || !party.active || (needsState && (party.type !== 'state' || !party.countryCode))) {
      throw new AppException(
        'UNKNOWN_REFERENCE',
        `partyId does not name an active ${needsState ? 'State ' : ''}party`,
        [
          {
            field: 'partyId',
            messages: [`partyId must name an active ${needsState ? 'State ' : ''}party`],
            values: [id],
          },
        ],
      );
    }
    return party;
  }

  /** Stores the file and its requester (status `queued`); the caller runs or enqueues it. */
  async record(principal: Principal, input: CreateImportDto): Promise<ImportJob> {
    const party = await this.importingParty(principal, input.kind, input.partyId);
    return this.db.transaction(async (m) => {
      const job = m.create(ImportJob, {
        kind: input.kind,
        format: input.format,
        partyId: party.id,
        requestedBy: principal.userId,
        principal: {
          kind: principal.kind,
          userId: principal.userId,
          partyId: principal.partyId,
          partyType: principal.partyType,
          roles: principal.roles,
          ...(principal.apiKeyId ? { apiKeyId: principal.apiKeyId } : {}),
        },
        status: 'queued',
        errors: [],
        content: input.content,
        finishedAt: null,
      });
      await m.save(job);
      await this.audit.record(m, {
        action: 'import.request',
        entityType: 'import',
        entityId: job.id,
        entityPartyId: party.id,
        metadata: { kind: input.kind, format: input.format, bytes: input.content.length },
      });
      return job;
    });
  }

  /** `POST /imports`: records the file and queues its job (`imports.run`). */
  async request(principal: Principal, input: CreateImportDto): Promise<{ id: string }> {
    const job = await this.record(principal, input);
    try {
      await this.queues.enqueue('imports.run', { importId: job.id }, { jobId: job.id });
    } catch (error) {
      await this.db
        .getRepository(ImportJob)
        .update(job.id, { status: 'failed', finishedAt: new Date() });
      throw new AppException(
        'NOT_READY',
        `The job queue is unreachable: ${(error as Error).message}`,
      );
    }
    return { id: job.id };
  }

  /** The import if the caller may see it: the importing party's users and the secretariat. */
  async get(principal: Principal, id: string): Promise<ImportStatusDto> {
    const job = await this.db.getRepository(ImportJob).findOne({ where: { id } });
    const mayRead =
      !!job &&
      (hasRole(principal, 'secretariat') ||
        principal.kind === 'system' ||
        (!!principal.partyId && principal.partyId === job.partyId));
    if (!job || !mayRead) throw AppException.notFound('Import');
    return toImportStatusDto(job);
  }

  /**
   * Runs an import (the worker's job, or the CLI in-process). Reports progress as rows are
   * handled; a finished import (completed or rejected) is not run again.
   */
  async run(
    importId: string,
    onProgress: (processed: number, total: number) => void | Promise<void> = () => undefined,
  ): Promise<ImportStatusDto> {
    const repo = this.db.getRepository(ImportJob);
    const job = await repo
      .createQueryBuilder('j')
      .addSelect('j.content')
      .where('j.id = :importId', { importId })
      .getOne();
    if (!job) throw AppException.notFound('Import');
    if (job.status === 'completed' || job.status === 'rejected') return toImportStatusDto(job);
    // Changes are made (and audited) as the requester.
    if (this.cls.isActive()) this.cls.set('principal', job.principal);

    const { rows, problems, total } = await readImportFile(job.kind, job.format, job.content);
    let processed = total - rows.length;
    await repo.update(job.id, { status: 'running', total, processed });
    await onProgress(processed, total);
    const counts: Record<Outcome, number> = { created: 0, updated: 0, unchanged: 0 };
    const step = Math.max(1, Math.floor(rows.length / 100));
    try {
      await this.db.transaction(async (m) => {
        for (const row of rows) {
          try {
            // A savepoint per row: a failing row is reported and the next one still runs.
            counts[await m.transaction((sm) => this.storeRow(sm, job, row))] += 1;
          } catch (error) {
            problems.push(...this.problemsOf(job.kind, job.format, row.line, error));
          }
          processed += 1;
          if (processed % step === 0 || processed === total) {
            // Outside the import's transaction, so readers see the progress meanwhile.
            await repo.update(job.id, { processed });
            await onProgress(processed, total);
          }
        }
        if (problems.length) throw new Rejected();
        await this.audit.record(m, {
          action: 'import.complete',
          entityType: 'import',
          entityId: job.id,
          entityPartyId: job.partyId,
          metadata: { kind: job.kind, total, ...counts },
        });
      });
    } catch (error) {
      if (!(error instanceof Rejected)) throw error;
      problems.sort((a, b) => a.line - b.line);
      await repo.update(job.id, {
        status: 'rejected',
        processed: total,
        created: 0,
        updated: 0,
        unchanged: 0,
        errors: problems,
        finishedAt: new Date(),
      });
      await onProgress(total, total);
      return this.reload(job.id);
    }
    await repo.update(job.id, {
      status: 'completed',
      processed: total,
      ...counts,
      errors: [],
      finishedAt: new Date(),
    });
    await onProgress(total, total);
    return this.reload(job.id);
  }

  /** After the last retry failed. */
  async markFailed(importId: string, reason: string): Promise<void> {
    await this.db.getRepository(ImportJob).update(importId, {
      status: 'failed',
      errors: [{ line: 0, field: 'file', reason }],
      finishedAt: new Date(),
    });
  }

  private async reload(id: string): Promise<ImportStatusDto> {
    return toImportStatusDto(await this.db.getRepository(ImportJob).findOneByOrFail({ id }));
  }

  private problemsOf(
    kind: ImportKind,
    format: ImportJob['format'],
    line: number,
    error: unknown,
  ): ImportProblem[] {
    if (error instanceof AppException && Array.isArray(error.details) && error.details.length) {
      return (error.details as { field?: string; messages?: string[] }[]).flatMap((d) =>
        (d.messages?.length ? d.messages : [error.message]).map((reason) => ({
          line,
          field: csvField(kind, format, d.field ?? 'row'),
          reason,
        })),
      );
    }
    return [{ line, field: 'row', reason: (error as Error).message }];
  }

  /** Creates, updates or leaves one record, keyed by (party, externalRef). */
  private async storeRow(m: EntityManager, job: ImportJob, row: ValidRow): Promise<Outcome> {
    const table = TABLE[job.kind];
    const hash = digest(row.dto);
    const [existing] = (await m.query(
      `SELECT id, version, external_hash FROM ${table}
        WHERE party_id = $1 AND external_ref = $2 FOR UPDATE`,
      [job.partyId, row.externalRef],
    )) as { id: string; version: number; external_hash: string | null }[];
    if (existing?.external_hash === hash) return 'unchanged';
    const principal = job.principal;
    const onBehalf = principal.partyId !== job.partyId;
    let id: string;
    if (!existing) {
      const dto = Object.assign(row.dto, onBehalf ? { partyId: job.partyId } : {});
      id = (await this.create(m, job.kind, principal, dto)).id;
    } else {
      const etag = `"${existing.version}"`;
      id = existing.id;
      await this.update(m, job.kind, principal, id, row.dto, etag);
    }
    await m.query(`UPDATE ${table} SET external_ref = $1, external_hash = $2 WHERE id = $3`, [
      row.externalRef,
      hash,
      id,
    ]);
    return existing ? 'updated' : 'created';
  }

  private create(
    m: EntityManager,
    kind: ImportKind,
    principal: Principal,
    dto: ValidRow['dto'],
  ): Promise<{ id: string }> {
    switch (kind) {
      case 'needs':
        return this.needs.create(principal, dto as CreateNeedDto, m);
      case 'offers':
        return this.offers.create(principal, dto as CreateOfferDto, m);
      case 'plans':
        return this.plans.create(principal, dto as CreatePlanDto, m);
    }
  }

  private update(
    m: EntityManager,
    kind: ImportKind,
    principal: Principal,
    id: string,
    dto: ValidRow['dto'],
    etag: string,
  ): Promise<unknown> {
    switch (kind) {
      case 'needs':
        return this.needs.update(principal, id, dto as CreateNeedDto, etag, m);
      case 'offers':
        return this.offers.update(principal, id, etag, dto as CreateOfferDto, m);
      case 'plans':
        return this.plans.update(principal, id, dto as CreatePlanDto, etag, m);
    }
  }
}
