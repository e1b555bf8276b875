import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type pino from 'pino';
import { requestContextModule } from './common/context/cls';
import { createRootLogger, ROOT_LOGGER } from './common/request-id';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { typeormOptions } from './database/typeorm-options';
import { QueueModule } from './queue/queue.module';

/** What both processes share: configuration, logging, the database and the job producer. */
@Module({
  imports: [
    ConfigModule,
    // Per-request (and per-job) context: request id, principal, client address.
    requestContextModule(),
    LoggerModule.forRootAsync({
      providers: [
        {
          provide: ROOT_LOGGER,
          inject: [AppConfig],
          useFactory: (config: AppConfig) => createRootLogger(config.env.LOG_LEVEL),
        },
      ],
      inject: [ROOT_LOGGER],
      useFactory: (logger: pino.Logger) => ({
        // Nest's logger writes through the root logger.
        pinoHttp: { logger },
        // The request log is mounted by mountRequestLog as one router layer, not on every
        // path of the route list by Nest's middleware module.
        forRoutes: [],
      }),
    }),
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...typeormOptions({
          url: config.env.DATABASE_URL,
          poolSize: config.env.DB_POOL_SIZE,
          logQueries: config.env.DB_LOG_QUERIES,
        }),
        autoLoadEntities: false,
      }),
    }),
    QueueModule,
  ],
  exports: [ConfigModule, QueueModule],
})
export class CoreModule {}
