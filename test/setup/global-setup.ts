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
  await dropAbandonedDatabases();
  const template = await createEmptyDatabase('salw_tmpl');
  await migrate(template.url);
  process.env.SALW_TEST_TEMPLATE_DB = template.name;
}

/**
 * Test databases that a killed run never dropped: created more than three hours ago (no run
 * lasts that long) and with nobody connected, so a run going on beside this one is left alone.
 */
async function dropAbandonedDatabases(): Promise<void> {
  await withAdminClient(async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      `SELECT d.datname FROM pg_database d
        WHERE (d.datname LIKE 'salw\\_t\\_%' OR d.datname LIKE 'salw\\_tmpl\\_%')
          AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datid = d.oid)
          AND (pg_stat_file('base/' || d.oid || '/PG_VERSION')).modification
              < now() - interval '3 hours'`,
    );
    for (const { datname } of rows) {
      await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  });
}
