import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Authenticator } from '../../common/access/authenticator';
import { AuditEntry } from '../audit/audit-entry.entity';
import { MatchingModule } from '../matching/matching.module';
import { NeedsModule } from '../needs/needs.module';
import { OffersModule } from '../offers/offers.module';
import { PartiesModule } from '../parties/parties.module';
import { PlansModule } from '../plans/plans.module';
import { ReferenceModule } from '../reference/reference.module';
import { AuthModule } from '../auth/auth.module';
import { ReviewModule } from '../review/review.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { AllocationModule } from '../allocation/allocation.module';
import { CoordinationModule } from '../coordination/coordination.module';
import { ConsoleAuthenticator } from './console.authenticator';
import { CONSOLE_PREFIX } from './console.constants';
import { ConsoleMiddleware } from './console.middleware';
import { ConsoleAccountController } from './console-account.controller';
import { ConsoleAllocationController } from './console-allocation.controller';
import { ConsoleAuthController } from './console-auth.controller';
import { ConsoleCoordinationController } from './console-coordination.controller';
import { ConsoleCsrf } from './console-csrf';
import { ConsoleInboxController } from './console-inbox.controller';
import { ConsoleMatchesController } from './console-matches.controller';
import { ConsoleNeedsController } from './console-needs.controller';
import { ConsoleOffersController } from './console-offers.controller';
import { ConsolePages } from './console-pages.service';
import { ConsoleReference } from './console-reference';
import { ConsoleReviewController } from './console-review.controller';
import { ConsoleSessionService } from './console-session.service';
import { ConsoleViews } from './console-views.service';

const CONTROLLERS = [
  ConsoleAuthController,
  ConsoleNeedsController,
  ConsoleOffersController,
  ConsoleMatchesController,
  ConsoleReviewController,
  ConsoleInboxController,
  ConsoleAccountController,
  ConsoleCoordinationController,
  ConsoleAllocationController,
];

/**
 * The web console (/app): server-rendered pages over the same services, principals and access
 * rules as the API. API process only (the worker has no HTTP). It exports ConsoleAuthenticator,
 * which ApiModule binds as the access guard's Authenticator: the API's credentials, plus the
 * console's session cookie on console paths.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([AuditEntry]),
    ReferenceModule,
    PartiesModule,
    NeedsModule,
    OffersModule,
    PlansModule,
    MatchingModule,
    ReviewModule,
    AuthModule,
    NotificationsModule,
    CoordinationModule,
    AllocationModule,
  ],
  controllers: CONTROLLERS,
  providers: [
    ConsoleViews,
    ConsoleCsrf,
    ConsoleSessionService,
    ConsolePages,
    ConsoleReference,
    {
      provide: ConsoleAuthenticator,
      // Here `Authenticator` is still the auth module's (bearer tokens and API keys).
      inject: [Authenticator, ConsoleSessionService],
      useFactory: (api: Authenticator, sessions: ConsoleSessionService) =>
        new ConsoleAuthenticator(api, sessions),
    },
  ],
  exports: [ConsoleAuthenticator],
})
export class ConsoleModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // Mounted on the console's prefix, not route by route: Nest mounts a middleware given
    // controllers as one router layer per route (about a hundred here), which every request,
    // of the API too, walks past.
    consumer.apply(ConsoleMiddleware).forRoutes(CONSOLE_PREFIX, `${CONSOLE_PREFIX}/{*path}`);
  }
}
