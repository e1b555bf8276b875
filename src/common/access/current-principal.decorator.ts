import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { AppException } from '../errors';
import type { Principal } from './roles';

export type RequestWithPrincipal = { principal?: Principal };

/** The authenticated caller, as set by the AccessGuard. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => {
    const principal = ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal;
    if (!principal) throw new AppException('UNAUTHENTICATED', 'Authentication required');
    return principal;
  },
);
