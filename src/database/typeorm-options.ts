import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export interface DatabaseSettings {
  url: string;
  poolSize?: number;
  logQueries?: boolean;
  applicationName?: string;
}

/** One definition of the connection for the app, the worker, the CLI and the TypeORM CLI. */
export function typeormOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    synchronize: false,
    migrationsRun: false,
    // Entities and migrations are found next to this file, as .ts under ts-node/Jest and .js in dist.
    entities: [join(__dirname, '..', '**', '*.entity.{ts,js}')],
    migrations: [join(__dirname, 'migrations', '*.{ts,js}')],
    migrationsTransactionMode: 'each',
    // gen_random_uuid() is built into PostgreSQL 13+; no extension is installed behind our back.
    installExtensions: false,
    namingStrategy: new SnakeNamingStrategy(),
    // Failed queries surface as errors through the exception filter and the logs; no console noise.
    logging: settings.logQueries ? ['query', 'error'] : false,
    extra: {
      max: settings.poolSize ?? 10,
      application_name: settings.applicationName ?? 'salw-platform',
      connectionTimeoutMillis: 5000,
    },
  };
}
