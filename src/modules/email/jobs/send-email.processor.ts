import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobProcessor, ProcessesJob } from '../../../queue/job-handler';
import type { JobPayloads } from '../../../queue/queue.registry';
import { MailerService } from '../mailer.service';

@Injectable()
@ProcessesJob('email.send')
export class SendEmailProcessor implements JobProcessor<'email.send'> {
  constructor(private readonly mailer: MailerService) {}

  async process(job: Job<JobPayloads['email.send']>): Promise<{ messageId: string }> {
    return { messageId: await this.mailer.send(job.data) };
  }
}
