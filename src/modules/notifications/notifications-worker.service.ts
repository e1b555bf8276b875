import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { QueueService } from '../../queue/queue.service';
import { DomainEventBus } from '../outbox/domain-events';
import { DeliveriesService } from './deliveries.service';
import { NotificationEventsService } from './notification-events.service';

/**
 * In the worker: turns change events into notifications (idempotent: an event delivered twice
 * finds its dedupe key taken), and schedules the sweep, the daily digest and the follow-up
 * (BullMQ job schedulers, one schedule across all workers).
 */
@Injectable()
export class NotificationsWorkerService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Notifications');

  constructor(
    private readonly bus: DomainEventBus,
    private readonly events: NotificationEventsService,
    private readonly deliveries: DeliveriesService,
    private readonly queues: QueueService,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    for (const pattern of NotificationEventsService.PATTERNS) {
      this.bus.subscribe(pattern, 'notifications', async (event) => {
        const draft = await this.events.fromDomainEvent(event);
        if (draft) await this.deliveries.ingest(draft);
      });
    }
  }

  /** The scheduled sweep: settle and re-enqueue deliveries, then notify new suggestions. */
  async sweep(): Promise<{ recovered: number; requeued: number; suggestions: number }> {
    const result = await this.deliveries.sweep();
    let suggestions = 0;
    const drafts = await this.events.newSuggestions(this.config.env.NOTIFY_SUGGESTION_MIN_SCORE);
    for (const draft of drafts) {
      if ((await this.deliveries.ingest(draft)).created) suggestions++;
    }
    return { ...result, suggestions };
  }

  async onApplicationBootstrap(): Promise<void> {
    const env = this.config.env;
    try {
      const queue = this.queues.queue('notifications');
      await queue.upsertJobScheduler(
        'notifications-sweep',
        { every: env.NOTIFY_SWEEP_EVERY_MS },
        {
          name: 'notifications.sweep',
          data: { reason: 'schedule' },
          opts: QueueService.jobOptions('notifications.sweep'),
        },
      );
      await queue.upsertJobScheduler(
        'notifications-digest',
        { pattern: env.NOTIFY_DIGEST_CRON, tz: 'UTC' },
        {
          name: 'notifications.digest',
          data: { reason: 'schedule' },
          opts: QueueService.jobOptions('notifications.digest'),
        },
      );
      await queue.upsertJobScheduler(
        'notifications-follow-up',
        { pattern: env.FOLLOW_UP_CRON, tz: 'UTC' },
        {
          name: 'notifications.follow-up',
          data: { reason: 'schedule' },
          opts: QueueService.jobOptions('notifications.follow-up'),
        },
      );
      await this.queues.enqueue('notifications.sweep', { reason: 'worker start' });
    } catch (error) {
      // Redis is down: scheduled at the next start; deliveries wait in the table meanwhile.
      this.logger.warn(`Notification schedules not set: ${(error as Error).message}`);
    }
  }
}
