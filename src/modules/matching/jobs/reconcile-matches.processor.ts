import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobProcessor, ProcessesJob } from '../../../queue/job-handler';
import type { JobPayloads } from '../../../queue/queue.registry';
import { MatchingJobsService } from '../matching-jobs.service';

@Injectable()
@ProcessesJob('matching.reconcile')
export class ReconcileMatchesProcessor implements JobProcessor<'matching.reconcile'> {
  constructor(private readonly jobs: MatchingJobsService) {}

  process(_job: Job<JobPayloads['matching.reconcile']>) {
    return this.jobs.reconcile();
  }
}
