import { SetMetadata } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { JobName, JobPayloads } from './queue.registry';

export const JOB_HANDLER = Symbol('JOB_HANDLER');

/** Marks a provider as the processor of one job name; the worker finds it by this mark. */
export const ProcessesJob = (name: JobName) => SetMetadata(JOB_HANDLER, name);

/**
 * A processor loads by id, calls a service and rethrows on failure so BullMQ retries.
 * `onFinalFailure` runs once when the last attempt has failed.
 */
export interface JobProcessor<J extends JobName> {
  process(job: Job<JobPayloads[J]>): Promise<unknown>;
  onFinalFailure?(job: Job<JobPayloads[J]>, error: Error): Promise<void>;
}
