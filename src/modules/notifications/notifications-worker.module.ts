import { Module } from '@nestjs/common';
import { EmailModule } from '../email/email.module';
import { DeliveriesService } from './deliveries.service';
import { DigestService } from './digest.service';
import { EmailChannel } from './email-channel';
import { FollowUpService } from './follow-up.service';
import {
  DeliverNotificationProcessor,
  FollowUpProcessor,
  SendDigestsProcessor,
  SweepNotificationsProcessor,
} from './jobs/notification-jobs.processor';
import { NotificationEventsService } from './notification-events.service';
import { NotificationsModule } from './notifications.module';
import { NotificationsWorkerService } from './notifications-worker.service';
import { WebhookChannel } from './webhook-channel';

/** Worker only: events → deliveries, the channels, sweep, digest and follow-up jobs. */
@Module({
  imports: [NotificationsModule, EmailModule],
  providers: [
    NotificationEventsService,
    DeliveriesService,
    EmailChannel,
    WebhookChannel,
    DigestService,
    FollowUpService,
    NotificationsWorkerService,
    DeliverNotificationProcessor,
    SweepNotificationsProcessor,
    SendDigestsProcessor,
    FollowUpProcessor,
  ],
  exports: [DeliveriesService, DigestService, FollowUpService, NotificationsWorkerService],
})
export class NotificationsWorkerModule {}
