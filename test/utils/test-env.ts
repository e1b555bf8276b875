import { randomBytes } from 'node:crypto';

/** Server URLs for tests; only the database name and queue prefix change per suite. */
export const TEST_PG_URL =
  process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function databaseUrl(name: string): string {
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export function randomSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** The template every suite's database is cloned from (migrated once per `npm test`). */
export function templateName(): string {
  const name = process.env.SALW_TEST_TEMPLATE_DB;
  if (!name)
    throw new Error('SALW_TEST_TEMPLATE_DB is unset: run tests through jest (globalSetup)');
  return name;
}

/** Variables every test app gets; a suite overrides what it needs. */
export function baseTestEnv(): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'test',
    REDIS_URL: TEST_REDIS_URL,
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SMTP_URL: 'smtp://127.0.0.1:1',
    PUBLIC_BASE_URL: 'http://localhost:3000',
  };
}
