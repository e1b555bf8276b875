import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobProcessor, ProcessesJob } from '../../../queue/job-handler';
import type { JobPayloads } from '../../../queue/queue.registry';
import { MatchingService } from '../matching.service';
import { RematchProgressService } from '../rematch-progress.service';

/** One chunk of a full re-match; resumes where a failed attempt stopped, then reports progress. */
@Injectable()
@ProcessesJob('matching.rematch-chunk')
export class RematchChunkProcessor implements JobProcessor<'matching.rematch-chunk'> {
  constructor(
    private readonly matching: MatchingService,
    private readonly progress: RematchProgressService,
  ) {}

  async process(job: Job<JobPayloads['matching.rematch-chunk']>) {
    const { runId, chunk, fromId, toId } = job.data;
    const result = await this.matching.rematchChunk(runId, chunk, fromId, toId);
    await this.progress.chunkDone(job, result.needs);
    return result;
  }
}
