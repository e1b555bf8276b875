import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AccessGuard } from './common/access/access.guard';
import { WriteRateLimitGuard } from './common/access/write-rate-limit.guard';
import { AppConfig } from './config/app-config';
import { CoreModule } from './core.module';
import { AllocationWorkerModule } from './modules/allocation/allocation-worker.module';
import { AllocationModule } from './modules/allocation/allocation.module';
import { AuditModule } from './modules/audit/audit.module';
import { AuthModule } from './modules/auth/auth.module';
import { Authenticator } from './common/access/authenticator';
import { ConsoleAuthenticator } from './modules/console/console.authenticator';
import { ConsoleModule } from './modules/console/console.module';
import { EmailModule } from './modules/email/email.module';
import { ExchangeRatesModule } from './modules/exchange-rates/exchange-rates.module';
import { HealthModule } from './modules/health/health.module';
import { ImportsWorkerModule } from './modules/imports/imports-worker.module';
import { ImportsModule } from './modules/imports/imports.module';
import { CoordinationWorkerModule } from './modules/coordination/coordination-worker.module';
import { CoordinationModule } from './modules/coordination/coordination.module';
import { MatchingWorkerModule } from './modules/matching/matching-worker.module';
import { MatchingModule } from './modules/matching/matching.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { OutboxWorkerModule } from './modules/outbox/outbox-worker.module';
import { OutboxModule } from './modules/outbox/outbox.module';
import { OffersModule } from './modules/offers/offers.module';
import { NeedsModule } from './modules/needs/needs.module';
import { PartiesModule } from './modules/parties/parties.module';
import { PlansModule } from './modules/plans/plans.module';
import { ReferenceModule } from './modules/reference/reference.module';
import { ReviewWorkerModule } from './modules/review/review-worker.module';
import { ReviewModule } from './modules/review/review.module';
import { NotificationsWorkerModule } from './modules/notifications/notifications-worker.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { FirstAdminOnStart } from './modules/users/first-admin.service';
import { UsersModule } from './modules/users/users.module';
import { WorkerHostModule } from './queue/worker-host.module';

/** Feature modules: their services serve both processes, their controllers form the HTTP API. */
export const FEATURE_MODULES = [
  AuditModule,
  OutboxModule,
  AuthModule,
  ReferenceModule,
  PartiesModule,
  UsersModule,
  ExchangeRatesModule,
  OffersModule,
  PlansModule,
  NeedsModule,
  MatchingModule,
  ReviewModule,
  ImportsModule,
  CoordinationModule,
  NotificationsModule,
  AllocationModule,
];

/** The HTTP API process (src/main.ts). */
@Module({
  imports: [
    CoreModule,
    HealthModule,
    MetricsModule,
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        throttlers: [{ name: 'writes', ttl: 60_000, limit: config.env.WRITE_RATE_LIMIT_PER_MIN }],
      }),
    }),
    ...FEATURE_MODULES,
    // The web console (/app): API process only.
    ConsoleModule,
  ],
  providers: [
    // The guard's authenticator: the API's credentials, plus the console's session cookie on /app.
    { provide: Authenticator, useExisting: ConsoleAuthenticator },
    // Order matters: who the caller is and whether the route allows them, then write limits.
    { provide: APP_GUARD, useClass: AccessGuard },
    { provide: APP_GUARD, useClass: WriteRateLimitGuard },
    FirstAdminOnStart,
  ],
})
export class ApiModule {}

/** The queue worker process (src/worker.ts): the same services, processors, no HTTP. */
@Module({
  imports: [
    CoreModule,
    WorkerHostModule,
    EmailModule,
    OutboxWorkerModule,
    MatchingWorkerModule,
    ReviewWorkerModule,
    ImportsWorkerModule,
    CoordinationWorkerModule,
    NotificationsWorkerModule,
    AllocationWorkerModule,
    ...FEATURE_MODULES,
  ],
})
export class WorkerModule {}
