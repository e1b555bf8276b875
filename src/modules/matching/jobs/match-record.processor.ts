import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobProcessor, ProcessesJob } from '../../../queue/job-handler';
import type { JobPayloads } from '../../../queue/queue.registry';
import { MatchingService, MatchRunResult } from '../matching.service';

@Injectable()
@ProcessesJob('matching.match-need')
export class MatchNeedProcessor implements JobProcessor<'matching.match-need'> {
  constructor(private readonly matching: MatchingService) {}

  process(job: Job<JobPayloads['matching.match-need']>): Promise<MatchRunResult> {
    return this.matching.match('need', job.data.needId);
  }
}

@Injectable()
@ProcessesJob('matching.match-offer')
export class MatchOfferProcessor implements JobProcessor<'matching.match-offer'> {
  constructor(private readonly matching: MatchingService) {}

  process(job: Job<JobPayloads['matching.match-offer']>): Promise<MatchRunResult> {
    return this.matching.match('offer', job.data.offerId);
  }
}
