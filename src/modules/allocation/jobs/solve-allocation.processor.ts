import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobProcessor, ProcessesJob } from '../../../queue/job-handler';
import type { JobPayloads } from '../../../queue/queue.registry';
import { AllocationService } from '../allocation.service';

/** Solves one allocation run, reporting progress (percent) on the job and on the run. */
@Injectable()
@ProcessesJob('allocation.solve')
export class SolveAllocationProcessor implements JobProcessor<'allocation.solve'> {
  constructor(private readonly allocations: AllocationService) {}

  async process(job: Job<JobPayloads['allocation.solve']>) {
    const run = await this.allocations.solve(job.data.runId, (percent) =>
      job.updateProgress(percent),
    );
    return { status: run.status, objective: run.objective };
  }

  async onFinalFailure(job: Job<JobPayloads['allocation.solve']>, error: Error): Promise<void> {
    await this.allocations.markFailed(job.data.runId, error.message);
  }
}
