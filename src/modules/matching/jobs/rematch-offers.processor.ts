import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobProcessor, ProcessesJob } from '../../../queue/job-handler';
import type { JobPayloads } from '../../../queue/queue.registry';
import { MatchingService } from '../matching.service';
import { RematchProgressService } from '../rematch-progress.service';

/**
 * One part of a full re-match's offers' side (a range of active offers), once every chunk is
 * done; the parts run on any worker. Idempotent: a retried part reads the same tops (the run
 * keeps them until it ends) and writes the same rows.
 */
@Injectable()
@ProcessesJob('matching.rematch-offers')
export class RematchOffersProcessor implements JobProcessor<'matching.rematch-offers'> {
  constructor(
    private readonly matching: MatchingService,
    private readonly progress: RematchProgressService,
  ) {}

  async process(job: Job<JobPayloads['matching.rematch-offers']>) {
    const { runId, fromId, toId, closed } = job.data;
    const result = await this.matching.finishOffers(runId, fromId, toId, closed);
    await this.progress.offersDone(job);
    return result;
  }
}
