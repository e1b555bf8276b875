import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { QueueService } from '../../queue/queue.service';

/**
 * In the worker: schedules the release of needs whose no-objection period has passed (a BullMQ
 * job scheduler, so one schedule across all workers), and runs it once at start.
 */
@Injectable()
export class ReviewWorkerService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Review');

  constructor(
    private readonly queues: QueueService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.queues.queue('review').upsertJobScheduler(
        'review-release-consent',
        { every: this.config.env.CONSENT_RELEASE_EVERY_MS },
        {
          name: 'review.release-consent',
          data: { reason: 'schedule' },
          opts: QueueService.jobOptions('review.release-consent'),
        },
      );
      await this.queues.enqueue('review.release-consent', { reason: 'worker start' });
    } catch (error) {
      // Redis is down: scheduled again at the next start; pending needs simply wait.
      this.logger.warn(`Consent release not scheduled: ${(error as Error).message}`);
    }
  }
}
