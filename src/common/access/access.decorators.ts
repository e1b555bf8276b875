import { applyDecorators, SetMetadata } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiSecurity,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Role } from './roles';

export const ACCESS_RULE = 'access:rule';

/**
 * Every route declares who may call it; the access guard refuses a route without a rule, and
 * the authorisation-matrix test fails on one. Object-level rules (own party, visibility) are
 * enforced inside the services' queries on top of these.
 */
export type AccessRule =
  | { kind: 'public' }
  | { kind: 'metrics-token' }
  | { kind: 'authenticated' }
  | { kind: 'roles'; roles: Role[] };

/** Open to anonymous callers (the contract lists which routes may be). */
export const Public = () => SetMetadata(ACCESS_RULE, { kind: 'public' } satisfies AccessRule);

/** Open to anonymous callers unless METRICS_TOKEN is set, then the bearer token is required. */
export const MetricsToken = () =>
  SetMetadata(ACCESS_RULE, { kind: 'metrics-token' } satisfies AccessRule);

const secured = () =>
  applyDecorators(
    ApiBearerAuth('bearer'),
    ApiSecurity('apiKey'),
    ApiUnauthorizedResponse({ description: 'No or invalid credentials' }),
  );

/** Any signed-in user or API key; the service applies party and visibility rules. */
export const Authenticated = () =>
  applyDecorators(
    SetMetadata(ACCESS_RULE, { kind: 'authenticated' } satisfies AccessRule),
    secured(),
  );

/** Callers holding at least one of these roles. */
export const Roles = (...roles: Role[]) =>
  applyDecorators(
    SetMetadata(ACCESS_RULE, { kind: 'roles', roles } satisfies AccessRule),
    secured(),
    ApiForbiddenResponse({ description: `Requires one of: ${roles.join(', ')}` }),
  );
