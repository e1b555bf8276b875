import { Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import IORedis from 'ioredis';
import type pino from 'pino';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { ApiModule } from '../../src/app.module';
import { configureApi } from '../../src/bootstrap';
import { createRootLogger, ROOT_LOGGER } from '../../src/common/request-id';
import { AppConfig } from '../../src/config/app-config';
import { createTestDatabase } from './database';
import { baseTestEnv, randomSuffix } from './test-env';

export interface TestApi {
  app: NestExpressApplication;
  http: TestAgent;
  config: AppConfig;
  /** The raw environment the app was configured from (for a worker or a child process). */
  env: NodeJS.ProcessEnv;
  databaseUrl: string;
  close(): Promise<void>;
}

export interface TestApiOptions {
  env?: NodeJS.ProcessEnv;
  /** Extra modules (e.g. a test-only controller) loaded beside the API. */
  imports?: Type<unknown>[];
  /** Where the API's log lines go (at the env's LOG_LEVEL) instead of stdout. */
  logTo?: pino.DestinationStream;
}

/** Deletes every Redis key of one queue prefix (each suite has its own). */
export async function clearQueuePrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } catch {
    // A suite that stopped its own Redis has nothing to clean here.
  } finally {
    redis.disconnect();
  }
}

/** Boots the real API (every module, real PostgreSQL and Redis) on a fresh database. */
export async function bootTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const db = await createTestDatabase();
  const env: NodeJS.ProcessEnv = {
    ...baseTestEnv(),
    DATABASE_URL: db.url,
    QUEUE_PREFIX: `t${randomSuffix()}`,
    ...options.env,
  };
  const config = AppConfig.fromEnv(env);
  const builder = Test.createTestingModule({
    imports: [ApiModule, ...(options.imports ?? [])],
  })
    .overrideProvider(AppConfig)
    .useValue(config);
  if (options.logTo)
    builder
      .overrideProvider(ROOT_LOGGER)
      .useValue(createRootLogger(config.env.LOG_LEVEL, options.logTo));
  const moduleRef = await builder.compile();
  const app = configureApi(
    moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true }),
  );
  await app.init();
  return {
    app,
    http: request(app.getHttpServer()),
    config,
    env,
    databaseUrl: db.url,
    async close() {
      await app.close();
      await clearQueuePrefix(config.env.REDIS_URL, config.env.QUEUE_PREFIX);
      await db.drop();
    },
  };
}
