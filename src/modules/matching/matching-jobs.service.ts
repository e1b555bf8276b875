import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { QueueService } from '../../queue/queue.service';

/** Deterministic job ids: one computation per record version, however often it is asked for. */
export const matchJobId = (side: 'need' | 'offer', id: string, version: number) =>
  `match-${side}:${id}:v${version}`;

@Injectable()
export class MatchingJobsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly queues: QueueService,
  ) {}

  async enqueueNeed(needId: string, version: number): Promise<void> {
    await this.queues.enqueue(
      'matching.match-need',
      { needId, version },
      { jobId: matchJobId('need', needId, version) },
    );
  }

  async enqueueOffer(offerId: string, version: number): Promise<void> {
    await this.queues.enqueue(
      'matching.match-offer',
      { offerId, version },
      { jobId: matchJobId('offer', offerId, version) },
    );
  }

  /**
   * Finds every need and offer whose stored matches reflect an older version (or none) and
   * enqueues it. After a Redis flush or a killed worker, this restores every pending
   * computation; the job ids make it harmless when the work is already queued.
   */
  async reconcile(): Promise<{ needs: number; offers: number; retried: number }> {
    const needs: { id: string; version: number }[] = await this.db.query(
      `SELECT id, version FROM need WHERE matched_version IS DISTINCT FROM version
          AND (status IN ('published', 'partially_covered') OR matched_version IS NOT NULL)`,
    );
    const offers: { id: string; version: number }[] = await this.db.query(
      `SELECT id, version FROM offer WHERE matched_version IS DISTINCT FROM version
          AND (status = 'active' OR matched_version IS NOT NULL)`,
    );
    const queue = this.queues.queue('matching');
    const jobs = [
      ...needs.map((n) => ({
        name: 'matching.match-need' as const,
        data: { needId: n.id, version: n.version },
        opts: QueueService.jobOptions('matching.match-need', {
          jobId: matchJobId('need', n.id, n.version),
        }),
      })),
      ...offers.map((o) => ({
        name: 'matching.match-offer' as const,
        data: { offerId: o.id, version: o.version },
        opts: QueueService.jobOptions('matching.match-offer', {
          jobId: matchJobId('offer', o.id, o.version),
        }),
      })),
    ];
    for (let i = 0; i < jobs.length; i += 1000) await queue.addBulk(jobs.slice(i, i + 1000));
    // A job that ran out of attempts keeps its id; retry it rather than leave its record stale.
    let retried = 0;
    for (const job of await queue.getJobs(['failed'])) {
      if (job.name === 'matching.match-need' || job.name === 'matching.match-offer') {
        await job.retry('failed');
        retried++;
      }
    }
    return { needs: needs.length, offers: offers.length, retried };
  }
}
