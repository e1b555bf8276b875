import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { QueueService } from '../../queue/queue.service';

const QUEUE_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'failed',
  'completed',
] as const;

/**
 * Prometheus metrics of the API process: HTTP latency, plus queue depths and job outcomes
 * read from Redis at scrape time, so they cover every worker process.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;

  constructor(queueService: QueueService) {
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    const queues = queueService;
    new Gauge({
      name: 'queue_jobs',
      help: 'Jobs in each queue by state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        for (const queue of queues.allQueues()) {
          const counts = await queue.getJobCounts(...QUEUE_STATES).catch(() => null);
          if (!counts) continue;
          for (const state of QUEUE_STATES)
            this.set({ queue: queue.name, state }, counts[state] ?? 0);
        }
      },
    });
    new Counter({
      name: 'queue_job_outcomes_total',
      help: 'Jobs finished by each queue, by outcome, as counted by the BullMQ workers',
      labelNames: ['queue', 'outcome'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const queue of queues.allQueues()) {
          for (const outcome of ['completed', 'failed'] as const) {
            const metrics = await queue.getMetrics(outcome, 0, 0).catch(() => null);
            if (metrics) this.inc({ queue: queue.name, outcome }, metrics.meta.count);
          }
        }
      },
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status_code: String(status) }, seconds);
  }
}
