import { Injectable } from '@nestjs/common';
import { Job } from 'bullmq';
import type { JobPayloads } from '../../queue/queue.registry';
import { QueueService } from '../../queue/queue.service';
import { RematchStore } from './rematch-store';

/** Progress of a full re-match, as `GET /jobs/:id` shows it. */
export interface RematchProgress {
  /** 0–100: the needs' chunks weigh 90, the offers' side 10. */
  percent: number;
  phase: 'needs' | 'offers' | 'done';
  chunksDone: number;
  chunksTotal: number;
  needsDone: number;
  needsTotal: number;
}

@Injectable()
export class RematchProgressService {
  constructor(
    private readonly queues: QueueService,
    private readonly runs: RematchStore,
  ) {}

  of(
    totals: { needs: number; chunks: number },
    chunksDone: number,
    needsDone: number,
    offersShare: number,
  ): RematchProgress {
    const needsShare = totals.chunks ? chunksDone / totals.chunks : 1;
    return {
      percent: Math.floor((needsShare * 90 + offersShare * 10) * 10) / 10,
      phase: offersShare >= 1 ? 'done' : needsShare >= 1 ? 'offers' : 'needs',
      chunksDone,
      chunksTotal: totals.chunks,
      needsDone: Math.min(needsDone, totals.needs),
      needsTotal: totals.needs,
    };
  }

  /** Records a finished part of the offers' side once and moves the parent's progress on. */
  async offersDone(job: Job<JobPayloads['matching.rematch-offers']>): Promise<void> {
    const { runId, part, offers } = job.data;
    const done = await this.runs.offersDone(runId, part, offers);
    await this.moveParent(runId, (data, totals, current) => {
      const share = data.offers ? Math.min(done / data.offers, 0.999) : 0;
      const next = this.of(totals, totals.chunks, totals.needs, share);
      return next.percent > (current?.percent ?? 0) ? next : null;
    });
  }

  /** Records a finished chunk once and moves the parent's progress on (never backwards). */
  async chunkDone(job: Job<JobPayloads['matching.rematch-chunk']>, needs: number): Promise<void> {
    const { runId, chunk } = job.data;
    const done = await this.runs.chunkDone(runId, chunk, job.data.needs ?? needs);
    await this.moveParent(runId, (_data, totals, current) =>
      done.chunks > (current?.chunksDone ?? 0) ? this.of(totals, done.chunks, done.needs, 0) : null,
    );
  }

  /**
   * Reads the parent's progress, asks `next` for a newer one (null: keep it) and writes it, all
   * under a lock of the run: two children finishing at once on two workers would otherwise
   * both read the old value, and the slower write could move it backwards.
   */
  private async moveParent(
    runId: string,
    next: (
      data: { needs?: number; chunks?: number; offers?: number },
      totals: { needs: number; chunks: number },
      current: Partial<RematchProgress> | null,
    ) => RematchProgress | null,
  ): Promise<void> {
    await this.runs.withLock(runId, 'progress', async () => {
      const parent = await Job.fromId(this.queues.queue('matching'), runId);
      if (!parent) return;
      const data = parent.data as { needs?: number; chunks?: number; offers?: number };
      const totals = { needs: data.needs ?? 0, chunks: data.chunks ?? 0 };
      const current =
        typeof parent.progress === 'object' ? (parent.progress as Partial<RematchProgress>) : null;
      const progress = next(data, totals, current);
      if (progress) await parent.updateProgress(progress);
    });
  }
}
