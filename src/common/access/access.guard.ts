import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ClsService } from 'nestjs-cls';
import type { RequestContext } from '../context/request-context';
import { AppException } from '../errors';
import { ACCESS_RULE, AccessRule } from './access.decorators';
import { Authenticator } from './authenticator';
import type { RequestWithPrincipal } from './current-principal.decorator';
import { hasRole, Principal } from './roles';

/**
 * Global guard: enforces the rule every route declares. A route without a rule is refused
 * (and the authorisation-matrix test fails), so nothing is open by omission.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger('AccessGuard');

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly cls: ClsService<RequestContext>,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [
      context.getHandler(),
      context.getClass(),
    ]);
    const req = context.switchToHttp().getRequest<Request & RequestWithPrincipal>();
    if (!rule) {
      this.logger.error(
        `Route ${req.method} ${req.route?.path ?? req.path} declares no access rule`,
      );
      throw new AppException('FORBIDDEN', 'This route declares no access rule');
    }
    if (rule.kind === 'public' || rule.kind === 'metrics-token') {
      // Credentials are optional here; when valid they identify the caller (e.g. for audit).
      const principal = await this.authenticator.authenticate(req).catch(() => null);
      if (principal) this.remember(req, principal);
      return true;
    }
    const principal = await this.authenticator.authenticate(req);
    if (!principal) throw new AppException('UNAUTHENTICATED', 'Authentication required');
    this.remember(req, principal);
    if (rule.kind === 'roles' && !hasRole(principal, ...rule.roles)) {
      throw new AppException('FORBIDDEN', `Requires one of the roles: ${rule.roles.join(', ')}`);
    }
    return true;
  }

  /** Routes outside the /api/v1 prefix (health, metrics) run without a request context. */
  private remember(req: RequestWithPrincipal, principal: Principal): void {
    req.principal = principal;
    if (this.cls.isActive()) this.cls.set('principal', principal);
  }
}
