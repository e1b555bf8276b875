import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { createRedis } from '../../queue/redis';

export type DependencyState = 'up' | 'down';
export interface ReadinessReport {
  ready: boolean;
  checks: { database: DependencyState; redis: DependencyState };
  failing: string[];
}

const PROBE_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Readiness: PostgreSQL and Redis answer within two seconds. SMTP is not part of it. */
@Injectable()
export class ReadinessService implements OnApplicationShutdown {
  private redis?: IORedis;
  private readonly gates: Array<() => Promise<void>> = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  /** Work that must be done before the first 200 (e.g. creating the first admin). */
  addStartupGate(gate: () => Promise<void>): void {
    this.gates.push(gate);
  }

  private async probeDatabase(): Promise<DependencyState> {
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), PROBE_TIMEOUT_MS);
      return 'up';
    } catch {
      return 'down';
    }
  }

  private async probeRedis(): Promise<DependencyState> {
    this.redis ??= createRedis(this.config.env.REDIS_URL, 'probe');
    try {
      return (await withTimeout(this.redis.ping(), PROBE_TIMEOUT_MS)) === 'PONG' ? 'up' : 'down';
    } catch {
      return 'down';
    }
  }

  async check(): Promise<ReadinessReport> {
    const [database, redis] = await Promise.all([this.probeDatabase(), this.probeRedis()]);
    const checks = { database, redis };
    const failing = Object.entries(checks)
      .filter(([, state]) => state === 'down')
      .map(([name]) => name);
    if (failing.length === 0) {
      for (const gate of this.gates) await gate();
    }
    return { ready: failing.length === 0, checks, failing };
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }
}
