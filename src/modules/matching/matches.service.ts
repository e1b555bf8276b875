import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import { hasRole, Principal } from '../../common/access/roles';
import { AppException } from '../../common/errors';
import { JobName, queueOf } from '../../queue/queue.registry';
import { QueueService } from '../../queue/queue.service';
import { AuditService } from '../audit/audit.service';
import { needVisibilityWhere } from '../needs/need-visibility';
import type { JobAcceptedDto, JobStatusDto } from './dto/match.dto';
import { MatchSuggestion } from './match-suggestion.entity';

/**
 * The jobs `GET /jobs/:id` reports: a re-match (its id from `POST /matching/rematch`), an
 * import and an allocation run (the import's or the run's id). Their ids are UUIDs given when
 * they are queued. BullMQ numbers other jobs per queue (1, 2, …), so a number would name a
 * different job in each queue, and internal jobs (e-mails, deliveries) are not the endpoint's
 * to show.
 */
const REPORTED_JOBS: readonly JobName[] = [
  'matching.rematch-all',
  'imports.run',
  'allocation.solve',
];
const REPORTED_QUEUES = [...new Set(REPORTED_JOBS.map(queueOf))];

/** Reading suggestions with both sides' visibility rules applied inside the query. */
@Injectable()
export class MatchesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly queues: QueueService,
    private readonly audit: AuditService,
  ) {}

  /** Matches whose need and offer the caller may both see. */
  private visible(principal: Principal): SelectQueryBuilder<MatchSuggestion> {
    const needRule = needVisibilityWhere(principal, 'n');
    const qb = this.db
      .getRepository(MatchSuggestion)
      .createQueryBuilder('ms')
      .innerJoin('need', 'n', 'n.id = ms.need_id')
      .innerJoin('offer', 'o', 'o.id = ms.offer_id')
      .where(needRule.sql, needRule.params)
      .orderBy('ms.score', 'DESC')
      .addOrderBy('ms.id', 'ASC');
    if (!hasRole(principal, 'secretariat') && principal.kind !== 'system') {
      qb.andWhere(`(o.status <> 'draft' OR o.party_id = :offerViewer)`, {
        offerViewer: principal.partyId,
      });
    }
    return qb;
  }

  private async assertVisible(
    principal: Principal,
    table: 'need' | 'offer',
    id: string,
  ): Promise<void> {
    const qb = this.db
      .createQueryBuilder()
      .select('1')
      .from(table, table === 'need' ? 'n' : 'o');
    if (table === 'need') {
      const rule = needVisibilityWhere(principal, 'n');
      qb.where('n.id = :id', { id }).andWhere(rule.sql, rule.params);
    } else {
      qb.where('o.id = :id', { id });
      if (!hasRole(principal, 'secretariat'))
        qb.andWhere(`(o.status <> 'draft' OR o.party_id = :viewer)`, { viewer: principal.partyId });
    }
    if (!(await qb.getRawOne())) throw AppException.notFound(table === 'need' ? 'Need' : 'Offer');
  }

  async forNeed(principal: Principal, needId: string): Promise<MatchSuggestion[]> {
    await this.assertVisible(principal, 'need', needId);
    return this.visible(principal).andWhere('ms.need_id = :needId', { needId }).getMany();
  }

  async forOffer(principal: Principal, offerId: string): Promise<MatchSuggestion[]> {
    await this.assertVisible(principal, 'offer', offerId);
    return this.visible(principal).andWhere('ms.offer_id = :offerId', { offerId }).getMany();
  }

  async get(principal: Principal, id: string): Promise<MatchSuggestion> {
    const match = await this.visible(principal).andWhere('ms.id = :id', { id }).getOne();
    if (!match) throw AppException.notFound('Match');
    return match;
  }

  async requestRematch(principal: Principal): Promise<JobAcceptedDto> {
    let jobId: string;
    try {
      const job = await this.queues.enqueue(
        'matching.rematch-all',
        { requestedBy: principal.userId },
        { jobId: randomUUID() },
      );
      jobId = String(job.id);
    } catch (error) {
      throw new AppException(
        'NOT_READY',
        `The job queue is unreachable: ${(error as Error).message}`,
      );
    }
    await this.db.transaction((m) =>
      this.audit.record(m, {
        action: 'matching.rematch_requested',
        entityType: 'matching',
        entityId: jobId,
        metadata: { jobId },
      }),
    );
    return { jobId };
  }

  /**
   * A reported job's state, progress and outcome (REPORTED_JOBS; any other id is not found).
   * The state is read before the job: a job that finishes between the two reads is reported
   * with the state it had, not as completed with the result it did not yet have (BullMQ stores
   * the result as it moves the job to completed).
   */
  async job(id: string): Promise<JobStatusDto> {
    for (const name of REPORTED_QUEUES) {
      const queue = this.queues.queue(name);
      const state = await queue.getJobState(id);
      if (state === 'unknown') continue;
      const job = await queue.getJob(id);
      if (!job || !REPORTED_JOBS.includes(job.name as JobName)) continue;
      return {
        id: String(job.id),
        name: job.name,
        state,
        progress: job.progress as number | object,
        ...(state === 'completed' ? { result: job.returnvalue as unknown } : {}),
        ...(state === 'failed' ? { error: job.failedReason } : {}),
      };
    }
    throw AppException.notFound('Job');
  }
}
