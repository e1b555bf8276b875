import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobProcessor, ProcessesJob } from '../../../queue/job-handler';
import type { JobPayloads } from '../../../queue/queue.registry';
import { ConsentService } from '../consent.service';

@Injectable()
@ProcessesJob('review.release-consent')
export class ReleaseConsentProcessor implements JobProcessor<'review.release-consent'> {
  constructor(private readonly consent: ConsentService) {}

  process(job: Job<JobPayloads['review.release-consent']>) {
    return this.consent.releaseDue(`review:${job.id}`);
  }
}
