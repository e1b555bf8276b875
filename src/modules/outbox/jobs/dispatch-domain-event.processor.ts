import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobProcessor, ProcessesJob } from '../../../queue/job-handler';
import type { JobPayloads } from '../../../queue/queue.registry';
import { DomainEventBus } from '../domain-events';

@Injectable()
@ProcessesJob('events.domain-event')
export class DispatchDomainEventProcessor implements JobProcessor<'events.domain-event'> {
  constructor(private readonly bus: DomainEventBus) {}

  async process(job: Job<JobPayloads['events.domain-event']>): Promise<{ handlers: string[] }> {
    return { handlers: await this.bus.dispatch(job.data) };
  }
}
