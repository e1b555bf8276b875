import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { Job, MetricsTime, Worker } from 'bullmq';
import type IORedis from 'ioredis';
import { ClsService } from 'nestjs-cls';
import { systemPrincipal } from '../common/access/roles';
import type { RequestContext } from '../common/context/request-context';
import { AppConfig } from '../config/app-config';
import { JOB_HANDLER, JobProcessor } from './job-handler';
import { JOB_QUEUE, JobName, QueueName } from './queue.registry';
import { createRedis } from './redis';

/**
 * Runs in the worker process only: finds every provider marked with @ProcessesJob, and
 * starts one BullMQ worker per queue that has processors. Shutdown waits for running jobs.
 */
@Injectable()
export class WorkerHostService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WorkerHost');
  private readonly workers: Worker[] = [];
  private readonly connections: IORedis[] = [];
  private readonly handlers = new Map<JobName, JobProcessor<JobName>>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly cls: ClsService<RequestContext>,
  ) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const { instance, metatype } = wrapper;
      if (!instance || !metatype) continue;
      const name = this.reflector.get<JobName | undefined>(JOB_HANDLER, metatype);
      if (!name) continue;
      if (this.handlers.has(name)) throw new Error(`Two processors for job ${name}`);
      this.handlers.set(name, instance as JobProcessor<JobName>);
    }
    const queues = new Set<QueueName>([...this.handlers.keys()].map((n) => JOB_QUEUE[n]));
    for (const queue of queues) this.workers.push(this.startWorker(queue));
    this.logger.log(`Processing ${[...this.handlers.keys()].join(', ') || 'no jobs'}`);
  }

  handledJobs(): JobName[] {
    return [...this.handlers.keys()];
  }

  private startWorker(queue: QueueName): Worker {
    const connection = createRedis(this.config.env.REDIS_URL, 'worker');
    this.connections.push(connection);
    const worker = new Worker(queue, (job: Job) => this.dispatch(job), {
      connection,
      prefix: this.config.env.QUEUE_PREFIX,
      concurrency: this.config.env.WORKER_CONCURRENCY,
      lockDuration: this.config.env.WORKER_LOCK_MS,
      stalledInterval: this.config.env.WORKER_LOCK_MS,
      metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
    });
    worker.on('error', (err) => this.logger.warn(`Worker ${queue}: ${err.message}`));
    worker.on('failed', (job, err) => {
      if (!job) return;
      const final = job.attemptsMade >= (job.opts.attempts ?? 1);
      this.logger.warn(
        { jobId: job.id, job: job.name, attempt: job.attemptsMade, final, err: err.message },
        'job failed',
      );
      if (final) void this.finalFailure(job, err);
    });
    return worker;
  }

  private async dispatch(job: Job): Promise<unknown> {
    const handler = this.handlers.get(job.name as JobName);
    if (!handler) throw new Error(`No processor for job ${job.name} on queue ${job.queueName}`);
    // Each job runs in a context of its own: changes it makes are audited as the system actor.
    return this.cls.run(() => {
      this.cls.set('jobId', `${job.queueName}:${job.id}`);
      this.cls.set('principal', systemPrincipal(`${job.queueName}:${job.id}`));
      return handler.process(job);
    });
  }

  private async finalFailure(job: Job, err: Error): Promise<void> {
    const handler = this.handlers.get(job.name as JobName);
    try {
      await handler?.onFinalFailure?.(job, err);
    } catch (e) {
      this.logger.error({ jobId: job.id, err: e }, 'final-failure handler failed');
    }
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    this.logger.log(`Shutting down${signal ? ` on ${signal}` : ''}: waiting for running jobs`);
    await Promise.allSettled(this.workers.map((w) => w.close()));
    // BullMQ leaves a connection it was given open; close ours once the workers are done.
    await Promise.allSettled(this.connections.map((c) => c.quit()));
  }
}
