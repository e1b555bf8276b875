import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobProcessor, ProcessesJob } from '../../../queue/job-handler';
import type { JobPayloads } from '../../../queue/queue.registry';
import { DomainEventBus } from '../domain-events';

/** The handlers that already succeeded for this event, kept in the job's progress. */
function handledOf(progress: unknown): string[] {
  const handled = (progress as { handled?: unknown } | null)?.handled;
  return Array.isArray(handled) ? handled.filter((h): h is string => typeof h === 'string') : [];
}

/**
 * Fans one change event out. When a handler fails, the others still run; the job then fails
 * (BullMQ retries it with backoff) and the retry runs only the handlers that have not yet
 * succeeded, recorded in the job's progress.
 */
@Injectable()
@ProcessesJob('events.domain-event')
export class DispatchDomainEventProcessor implements JobProcessor<'events.domain-event'> {
  constructor(private readonly bus: DomainEventBus) {}

  async process(job: Job<JobPayloads['events.domain-event']>): Promise<{ handlers: string[] }> {
    const before = handledOf(job.progress);
    const { ran, failed } = await this.bus.dispatch(job.data, new Set(before));
    const handled = [...before, ...ran];
    if (failed.length) {
      await job.updateProgress({ handled });
      throw new Error(
        `${job.data.type} (${job.data.entityId}): ` +
          failed.map((f) => `${f.key} failed: ${f.error.message}`).join('; '),
      );
    }
    return { handlers: handled };
  }
}
