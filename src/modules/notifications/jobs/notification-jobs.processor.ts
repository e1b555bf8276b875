import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobProcessor, ProcessesJob } from '../../../queue/job-handler';
import type { JobPayloads } from '../../../queue/queue.registry';
import { DeliveriesService } from '../deliveries.service';
import { DigestService } from '../digest.service';
import { FollowUpService } from '../follow-up.service';
import { NotificationsWorkerService } from '../notifications-worker.service';

@Injectable()
@ProcessesJob('notifications.deliver')
export class DeliverNotificationProcessor implements JobProcessor<'notifications.deliver'> {
  constructor(private readonly deliveries: DeliveriesService) {}

  process(job: Job<JobPayloads['notifications.deliver']>) {
    return this.deliveries.process(job.data.deliveryId);
  }
}

@Injectable()
@ProcessesJob('notifications.sweep')
export class SweepNotificationsProcessor implements JobProcessor<'notifications.sweep'> {
  constructor(private readonly worker: NotificationsWorkerService) {}

  process() {
    return this.worker.sweep();
  }
}

@Injectable()
@ProcessesJob('notifications.digest')
export class SendDigestsProcessor implements JobProcessor<'notifications.digest'> {
  constructor(private readonly digests: DigestService) {}

  process() {
    return this.digests.run();
  }
}

@Injectable()
@ProcessesJob('notifications.follow-up')
export class FollowUpProcessor implements JobProcessor<'notifications.follow-up'> {
  constructor(private readonly followUp: FollowUpService) {}

  process(job: Job<JobPayloads['notifications.follow-up']>) {
    return this.followUp.run(`notifications:${job.id}`);
  }
}
