import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { QueueService } from '../../queue/queue.service';
import { DomainEventBus } from '../outbox/domain-events';
import { AlertDetectorService } from './alert-detector.service';

/**
 * In the worker: checks each new commitment for coordination alerts (the `match.committed`
 * event; detection is idempotent, so a redelivered event raises nothing twice), and schedules
 * the sweep over every commitment (a BullMQ job scheduler: one schedule across all workers).
 */
@Injectable()
export class CoordinationWorkerService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Coordination');

  constructor(
    private readonly bus: DomainEventBus,
    private readonly detector: AlertDetectorService,
    private readonly queues: QueueService,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe('match.committed', 'coordination-alerts', async (e) => {
      await this.detector.afterCommitment(e.entityId);
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.queues.queue('coordination').upsertJobScheduler(
        'coordination-sweep-alerts',
        { every: this.config.env.COORDINATION_ALERT_SWEEP_EVERY_MS },
        {
          name: 'coordination.sweep-alerts',
          data: { reason: 'schedule' },
          opts: QueueService.jobOptions('coordination.sweep-alerts'),
        },
      );
    } catch (error) {
      // Redis is down: scheduled again at the next start; commitment events still raise alerts.
      this.logger.warn(`Alert sweep not scheduled: ${(error as Error).message}`);
    }
  }
}
