import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobProcessor, ProcessesJob } from '../../../queue/job-handler';
import type { JobPayloads } from '../../../queue/queue.registry';
import { ImportsService } from '../imports.service';

/** Runs one bulk import, reporting progress (percent) on the job and rows on the import. */
@Injectable()
@ProcessesJob('imports.run')
export class RunImportProcessor implements JobProcessor<'imports.run'> {
  constructor(private readonly imports: ImportsService) {}

  async process(job: Job<JobPayloads['imports.run']>) {
    const result = await this.imports.run(job.data.importId, (processed, total) =>
      job.updateProgress(total ? Math.round((processed / total) * 100) : 100),
    );
    return { status: result.status, created: result.created, updated: result.updated };
  }

  async onFinalFailure(job: Job<JobPayloads['imports.run']>, error: Error): Promise<void> {
    await this.imports.markFailed(job.data.importId, error.message);
  }
}
