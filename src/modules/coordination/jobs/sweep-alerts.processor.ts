import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobProcessor, ProcessesJob } from '../../../queue/job-handler';
import type { JobPayloads } from '../../../queue/queue.registry';
import { AlertDetectorService } from '../alert-detector.service';

/** The periodic sweep: raises every alert whose condition holds and has none yet. */
@Injectable()
@ProcessesJob('coordination.sweep-alerts')
export class SweepAlertsProcessor implements JobProcessor<'coordination.sweep-alerts'> {
  constructor(private readonly detector: AlertDetectorService) {}

  async process(_job: Job<JobPayloads['coordination.sweep-alerts']>) {
    const raised = await this.detector.sweep();
    return { raised: raised.length };
  }
}
