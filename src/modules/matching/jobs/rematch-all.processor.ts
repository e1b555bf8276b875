import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { JobProcessor, ProcessesJob } from '../../../queue/job-handler';
import type { JobPayloads } from '../../../queue/queue.registry';
import { AuditService } from '../../audit/audit.service';
import { MatchingService } from '../matching.service';

/** Recomputes every open need and active offer, reporting progress; audited once at the end. */
@Injectable()
@ProcessesJob('matching.rematch-all')
export class RematchAllProcessor implements JobProcessor<'matching.rematch-all'> {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly matching: MatchingService,
    private readonly audit: AuditService,
  ) {}

  async process(job: Job<JobPayloads['matching.rematch-all']>) {
    const needs: { id: string }[] = await this.db.query(
      `SELECT id FROM need WHERE status IN ('published', 'partially_covered') ORDER BY id`,
    );
    const offers: { id: string }[] = await this.db.query(
      `SELECT id FROM offer WHERE status = 'active' ORDER BY id`,
    );
    const total = needs.length + offers.length;
    let done = 0;
    let suggestions = 0;
    const step = Math.max(1, Math.floor(total / 100));
    for (const [side, rows] of [
      ['need', needs],
      ['offer', offers],
    ] as const) {
      for (const { id } of rows) {
        suggestions += (await this.matching.match(side, id)).kept;
        if (++done % step === 0) await job.updateProgress(Math.round((done / total) * 100));
      }
    }
    await job.updateProgress(100);
    const result = { needs: needs.length, offers: offers.length, suggestionsKept: suggestions };
    await this.db.transaction((m) =>
      this.audit.record(m, {
        action: 'matching.rematch_completed',
        entityType: 'matching',
        entityId: String(job.id),
        metadata: { ...result, requestedBy: job.data.requestedBy },
      }),
    );
    return result;
  }
}
