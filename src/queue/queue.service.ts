import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import type IORedis from 'ioredis';
import { AppConfig } from '../config/app-config';
import {
  JOB_QUEUE,
  JOB_RETENTION,
  JobName,
  JobPayloads,
  QUEUE_NAMES,
  QUEUE_POLICY,
  QueueName,
} from './queue.registry';
import { createRedis } from './redis';

const ENQUEUE_TIMEOUT_MS = 5_000;

export interface EnqueueOptions {
  /** A deterministic id: a second enqueue with the same id is ignored while the first is kept. */
  jobId?: string;
  delayMs?: number;
  priority?: number;
}

/** The one producer: every job gets its queue's attempts, exponential backoff and retention. */
@Injectable()
export class QueueService implements OnApplicationShutdown {
  private readonly connection: IORedis;
  private readonly queues = new Map<QueueName, Queue>();

  constructor(private readonly config: AppConfig) {
    this.connection = createRedis(config.env.REDIS_URL, 'producer');
  }

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: this.connection,
        prefix: this.config.env.QUEUE_PREFIX,
      });
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  allQueues(): Queue[] {
    return QUEUE_NAMES.map((name) => this.queue(name));
  }

  static jobOptions(name: JobName, options: EnqueueOptions = {}): JobsOptions {
    const policy = QUEUE_POLICY[JOB_QUEUE[name]];
    return {
      attempts: policy.attempts,
      backoff: { type: 'exponential', delay: policy.backoffMs },
      removeOnComplete: JOB_RETENTION.removeOnComplete,
      removeOnFail: JOB_RETENTION.removeOnFail,
      ...(options.jobId ? { jobId: options.jobId } : {}),
      ...(options.delayMs ? { delay: options.delayMs } : {}),
      ...(options.priority ? { priority: options.priority } : {}),
    };
  }

  /**
   * Adds a job. While Redis is unreachable BullMQ would wait for it indefinitely; this fails
   * after ENQUEUE_TIMEOUT_MS instead, so a request never hangs on the queue (changes that
   * must not be lost go through the outbox, not through here).
   */
  async enqueue<J extends JobName>(name: J, payload: JobPayloads[J], options?: EnqueueOptions) {
    const adding = this.queue(JOB_QUEUE[name]).add(
      name,
      payload,
      QueueService.jobOptions(name, options),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Queue unavailable: could not enqueue ${name}`)),
        ENQUEUE_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([adding, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }
}
