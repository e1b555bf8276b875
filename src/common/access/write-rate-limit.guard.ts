import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerException, ThrottlerGuard } from '@nestjs/throttler';
import type { RequestWithPrincipal } from './current-principal.decorator';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Limits state-changing requests per signed-in user (or API key) across every route, at
 * WRITE_RATE_LIMIT_PER_MIN. Reads and anonymous calls are not counted here: the only
 * anonymous writes are sign-in calls, whose failures are limited by the auth module.
 */
@Injectable()
export class WriteRateLimitGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<{ method: string } & RequestWithPrincipal>();
    return READ_METHODS.has(req.method) || !req.principal;
  }

  protected override async getTracker(req: RequestWithPrincipal): Promise<string> {
    const p = req.principal!;
    return p.apiKeyId ? `key:${p.apiKeyId}` : `user:${p.userId}`;
  }

  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    name: string,
  ): string {
    return `${name}:${tracker}`;
  }

  protected override async throwThrottlingException(): Promise<void> {
    throw new ThrottlerException('Too many write requests; try again in a minute');
  }
}
