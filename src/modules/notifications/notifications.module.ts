import { Module } from '@nestjs/common';
import { DeliveryQueue } from './delivery-queue.service';
import { InboxService } from './inbox.service';
import {
  NotificationPreferencesController,
  NotificationsController,
} from './notifications.controller';
import { PreferencesService } from './preferences.service';
import { RecipientsService } from './recipients.service';
import { WebhookSecrets } from './webhooks/webhook-secrets';
import { WebhooksController } from './webhooks/webhooks.controller';
import { WebhooksService } from './webhooks/webhooks.service';

/**
 * Notifications (issue 9), both processes: the in-app inbox, preferences and webhook endpoints
 * (API); the services the worker builds on (recipients, secrets, the delivery queue).
 */
@Module({
  controllers: [NotificationsController, NotificationPreferencesController, WebhooksController],
  providers: [
    InboxService,
    PreferencesService,
    WebhooksService,
    WebhookSecrets,
    RecipientsService,
    DeliveryQueue,
  ],
  exports: [PreferencesService, RecipientsService, WebhookSecrets, DeliveryQueue, InboxService],
})
export class NotificationsModule {}
