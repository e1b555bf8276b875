import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { requestContextModule } from './common/context/cls';
import { requestLogOptions } from './common/request-id';
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
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        pinoHttp: [
          requestLogOptions(config.env.LOG_LEVEL),
          // Written asynchronously (flushed at exit): a slow reader of stdout (a log shipper,
          // a full pipe) must not block the event loop on every request.
          pino.destination({ dest: 1, sync: false }),
        ],
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
