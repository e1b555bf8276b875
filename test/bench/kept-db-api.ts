import { randomBytes } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { dropQueueKeys } from './queue-keys';

/**
 * The API's application, in this process, on a database the benchmark kept (`DB=…`), for the
 * in-process harnesses: secrets and a queue prefix of its own, logs silent, no e-mail server.
 */
export async function keptDatabaseApi(): Promise<NestExpressApplication> {
  Object.assign(process.env, {
    DATABASE_URL: process.env.DB,
    REDIS_URL: 'redis://127.0.0.1:6379',
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    QUEUE_PREFIX: `prof${randomBytes(3).toString('hex')}`,
    SMTP_URL: 'smtp://127.0.0.1:1',
    NODE_ENV: 'production',
  });
  const { createApi } = await import('../../src/bootstrap');
  return createApi();
}

/**
 * Closes a harness's application and removes the keys its queue prefix left in Redis (a chunk
 * profiled alone leaves its run's offers' tops there: nothing finishes the run).
 */
export async function closeKeptDatabaseApi(app: NestExpressApplication): Promise<void> {
  await app.close();
  await dropQueueKeys(process.env.REDIS_URL!, process.env.QUEUE_PREFIX!);
}
