import { Injectable, Logger } from '@nestjs/common';
import { QueueService } from '../../queue/queue.service';

export interface DueDelivery {
  id: string;
  attempts: number;
  nextAttemptAt: Date;
}

/**
 * Puts delivery jobs on the `notifications` queue. The row is the truth (status, attempts,
 * next_attempt_at): a job only says "look at this row"; a missing job is replaced by the sweep,
 * and a duplicate finds the row already claimed and does nothing. The job id names the row,
 * the attempt and the due time, so the same schedule is never queued twice.
 */
@Injectable()
export class DeliveryQueue {
  private readonly logger = new Logger('Notifications');

  constructor(private readonly queues: QueueService) {}

  async enqueue(deliveries: DueDelivery[], source: 'd' | 's' = 'd'): Promise<void> {
    for (const d of deliveries) {
      const due = new Date(d.nextAttemptAt).getTime();
      try {
        await this.queues.enqueue(
          'notifications.deliver',
          { deliveryId: d.id },
          {
            jobId: `${source}-${d.id}-${d.attempts}-${due}`,
            delayMs: Math.max(0, due - Date.now()),
          },
        );
      } catch (error) {
        // Redis unavailable: the row stays due and the sweep enqueues it later.
        this.logger.warn(`Delivery ${d.id} not enqueued: ${(error as Error).message}`);
      }
    }
  }
}
