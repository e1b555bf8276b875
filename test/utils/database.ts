import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { typeormOptions } from '../../src/database/typeorm-options';
import { databaseUrl, randomSuffix, TEST_PG_URL, templateName } from './test-env';

export async function withAdminClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

export async function createEmptyDatabase(
  prefix = 'salw_t',
): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${process.env.SALW_TEST_RUN_ID ?? 'x'}_${randomSuffix()}`;
  await withAdminClient((c) => c.query(`CREATE DATABASE "${name}"`));
  return { name, url: databaseUrl(name) };
}

/** A fresh database for one suite, cloned from the migrated template (fast), dropped by `drop`. */
export async function createTestDatabase(): Promise<{
  name: string;
  url: string;
  drop: () => Promise<void>;
}> {
  const name = `salw_t_${process.env.SALW_TEST_RUN_ID ?? 'x'}_${randomSuffix()}`;
  await withAdminClient((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName()}"`));
  return { name, url: databaseUrl(name), drop: () => dropDatabase(name) };
}

/** A fresh database (createTestDatabase) with a client connected to it; `drop` ends both. */
export async function connectedTestDatabase(): Promise<{
  url: string;
  pg: Client;
  drop: () => Promise<void>;
}> {
  const db = await createTestDatabase();
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  return {
    url: db.url,
    pg,
    drop: async () => {
      await pg.end();
      await db.drop();
    },
  };
}

/** Runs every migration on the database at `url`. */
export async function migrate(url: string): Promise<string[]> {
  const ds = new DataSource(typeormOptions({ url, applicationName: 'salw-test-migrate' }));
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

export { TEST_PG_URL };
