import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { QueueService } from '../../queue/queue.service';
import { DomainEventBus } from '../outbox/domain-events';
import { MatchingJobsService } from './matching-jobs.service';
import { OfferIndexService } from './offer-index.service';

/**
 * In the worker: turns need and offer change events into matching jobs, runs the reconciler
 * at start, and schedules it (a BullMQ job scheduler, so one schedule across all workers).
 */
@Injectable()
export class MatchingWorkerService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Matching');

  constructor(
    private readonly bus: DomainEventBus,
    private readonly jobs: MatchingJobsService,
    private readonly queues: QueueService,
    private readonly config: AppConfig,
    private readonly offerIndex: OfferIndexService,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe('need.*', 'matching', (e) => this.jobs.enqueueNeed(e.entityId, e.version));
    this.bus.subscribe('offer.*', 'matching', (e) => {
      this.offerIndex.invalidate(e.entityId);
      return this.jobs.enqueueOffer(e.entityId, e.version);
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      const queue = this.queues.queue('matching');
      await queue.upsertJobScheduler(
        'matching-reconcile',
        { every: this.config.env.MATCH_RECONCILE_EVERY_MS },
        {
          name: 'matching.reconcile',
          data: { reason: 'schedule' },
          opts: QueueService.jobOptions('matching.reconcile'),
        },
      );
      await this.queues.enqueue('matching.reconcile', { reason: 'worker start' });
    } catch (error) {
      // Redis is down: the scheduler is set up again at the next start; the outbox keeps events.
      this.logger.warn(`Reconciler not scheduled: ${(error as Error).message}`);
    }
  }
}
