import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { parseEnv } from '../config/env.schema';
import { typeormOptions } from './typeorm-options';

/**
 * The DataSource used by the TypeORM CLI (`npm run db:migrate`, `db:revert`,
 * `migration:generate`). Only DATABASE_URL matters here, so the rest of the
 * environment is not required.
 */
function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error('DATABASE_URL: is required (e.g. postgres://postgres@127.0.0.1:5432/salw)');
  }
  parseEnv({ DATABASE_URL: url, REDIS_URL: 'redis://unused', JWT_SECRET: 'x'.repeat(32) });
  return url;
}

export default new DataSource(
  typeormOptions({ url: databaseUrl(), applicationName: 'salw-migrations' }),
);
