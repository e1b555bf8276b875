import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';
import { createEmptyDatabase, migrate, withAdminClient } from '../utils/database';
import { TEST_PG_URL, TEST_REDIS_URL } from '../utils/test-env';

/**
 * Once per `npm test`: checks that PostgreSQL and Redis answer, then migrates a template
 * database that every e2e suite clones into a database of its own.
 */
export default async function globalSetup(): Promise<void> {
  const runId = randomBytes(3).toString('hex');
  process.env.SALW_TEST_RUN_ID = runId;
  try {
    await withAdminClient((c) => c.query('SELECT 1'));
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${TEST_PG_URL}: ${(error as Error).message}. Start it (see README).`,
      { cause: error },
    );
  }
  const redis = new IORedis(TEST_REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `Redis is not reachable at ${TEST_REDIS_URL}: ${(error as Error).message}. Start it (see README).`,
      { cause: error },
    );
  } finally {
    redis.disconnect();
  }
  const template = await createEmptyDatabase('salw_tmpl');
  await migrate(template.url);
  process.env.SALW_TEST_TEMPLATE_DB = template.name;
}
