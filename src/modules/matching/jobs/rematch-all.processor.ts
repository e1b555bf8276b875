import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job, WaitingChildrenError } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import { JobProcessor, ProcessesJob } from '../../../queue/job-handler';
import type { JobPayloads } from '../../../queue/queue.registry';
import { QueueService } from '../../../queue/queue.service';
import { AuditService } from '../../audit/audit.service';
import { MatchingService } from '../matching.service';
import { RematchProgress, RematchProgressService } from '../rematch-progress.service';
import { RematchStore } from '../rematch-store';

type Data = JobPayloads['matching.rematch-all'] & {
  step?: 'chunks' | 'offers' | 'offers-wait';
  needs?: number;
  chunks?: number;
  offers?: number;
};

export const chunkJobId = (runId: string, chunk: number) => `rematch-${runId}-chunk-${chunk}`;
export const offersJobId = (runId: string, part: number) => `rematch-${runId}-offers-${part}`;

/**
 * A full re-match, in steps (a BullMQ parent job):
 *  1. seeds the offers' floors from a sample of the open needs (`seedRunFloors`), splits the
 *     open needs into id ranges of MATCH_CHUNK_SIZE and adds one child job
 *     `matching.rematch-chunk` per range (deterministic ids: a retried split adds nothing
 *     twice), then waits for its children without holding a worker;
 *  2. when every chunk is done (any worker, each retried on its own), splits the active offers
 *     into parts of MATCH_OFFER_PART_SIZE and adds one child job `matching.rematch-offers` per part,
 *     which sets that part's offers' side from the best needs the chunks found for each offer,
 *     and waits for them too;
 *  3. sums the children's figures, audits the run once and drops what it kept in Redis.
 * Progress (`GET /jobs/:id`) is an object with a percent, updated by the chunks as they end.
 */
@Injectable()
@ProcessesJob('matching.rematch-all')
export class RematchAllProcessor implements JobProcessor<'matching.rematch-all'> {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly matching: MatchingService,
    private readonly audit: AuditService,
    private readonly queues: QueueService,
    private readonly config: AppConfig,
    private readonly progress: RematchProgressService,
    private readonly runs: RematchStore,
  ) {}

  /**
   * Adds `count` child jobs of the run (deterministic ids: a retried step adds nothing twice).
   * A child out of attempts fails the run (what the others stored stays).
   */
  private async addChildren<J extends 'matching.rematch-chunk' | 'matching.rematch-offers'>(
    job: Job<Data>,
    name: J,
    count: number,
    payload: (i: number) => JobPayloads[J],
    jobId: (i: number) => string,
  ): Promise<void> {
    const children = Array.from({ length: count }, (_, i) => ({
      name,
      data: payload(i),
      opts: {
        ...QueueService.jobOptions(name, { jobId: jobId(i) }),
        parent: { id: String(job.id), queue: job.queueQualifiedName },
        failParentOnFailure: true,
      },
    }));
    const queue = this.queues.queue('matching');
    for (let i = 0; i < children.length; i += 500) await queue.addBulk(children.slice(i, i + 500));
  }

  async process(job: Job<Data>) {
    const runId = String(job.id);
    if (!job.data.step) {
      // Both before the first chunk, at once: the floors are the worker's work, the bounds
      // PostgreSQL's (a sort of the open needs' ids, ~0.4 s at 85,000).
      const [, { bounds, needs }] = await Promise.all([
        this.matching.seedRunFloors(runId),
        this.matching.chunkBounds(this.config.env.MATCH_CHUNK_SIZE),
      ]);
      const size = this.config.env.MATCH_CHUNK_SIZE;
      await this.addChildren(
        job,
        'matching.rematch-chunk',
        bounds.length,
        (chunk) => ({
          runId,
          chunk,
          fromId: bounds[chunk],
          toId: bounds[chunk + 1] ?? null,
          needs: chunk < bounds.length - 1 ? size : needs - size * chunk,
        }),
        (chunk) => chunkJobId(runId, chunk),
      );
      await job.updateData({ ...job.data, step: 'chunks', needs, chunks: bounds.length });
      await job.updateProgress(this.progress.of({ needs, chunks: bounds.length }, 0, 0, 0));
    }
    if (job.data.step === 'chunks') {
      if (await job.moveToWaitingChildren(job.token!)) throw new WaitingChildrenError();
      await job.updateData({ ...job.data, step: 'offers' });
    }
    const totals = { needs: job.data.needs ?? 0, chunks: job.data.chunks ?? 0 };
    if (job.data.step === 'offers') {
      // The offers' side in parts, as child jobs too.
      const size = this.config.env.MATCH_OFFER_PART_SIZE;
      const { bounds, offers } = await this.matching.offerBounds(size);
      const closed = bounds.length ? await this.matching.closedPairsByPart(bounds) : [];
      await this.addChildren(
        job,
        'matching.rematch-offers',
        bounds.length,
        (part) => ({
          runId,
          part,
          fromId: bounds[part],
          toId: bounds[part + 1] ?? null,
          offers: part < bounds.length - 1 ? size : offers - size * part,
          closed: closed[part],
        }),
        (part) => offersJobId(runId, part),
      );
      await job.updateData({ ...job.data, step: 'offers-wait', offers });
      await job.updateProgress(this.progress.of(totals, totals.chunks, totals.needs, 0));
    }
    if (await job.moveToWaitingChildren(job.token!)) throw new WaitingChildrenError();
    const children = Object.entries(await job.getChildrenValues()) as [
      string,
      { needs?: number; offers?: number; kept?: number; considered?: number; scored?: number },
    ][];
    const sum = (part: 'chunk' | 'offers', k: 'kept' | 'considered' | 'scored') =>
      children
        .filter(([key]) => key.includes(`:rematch-${runId}-${part}-`))
        .reduce((s, [, r]) => s + (r?.[k] ?? 0), 0);
    const result = {
      needs: totals.needs,
      offers: job.data.offers ?? 0,
      chunks: totals.chunks,
      suggestionsKept: sum('chunk', 'kept') + sum('offers', 'kept'),
      pairsConsidered: sum('chunk', 'considered'),
      pairsScored: sum('chunk', 'scored'),
    };
    const done: RematchProgress = this.progress.of(totals, totals.chunks, totals.needs, 1);
    await job.updateProgress(done);
    await this.db.transaction((m) =>
      this.audit.record(m, {
        action: 'matching.rematch_completed',
        entityType: 'matching',
        entityId: runId,
        metadata: { ...result, requestedBy: job.data.requestedBy },
      }),
    );
    await this.runs.dropRun(runId);
    return result;
  }
}
