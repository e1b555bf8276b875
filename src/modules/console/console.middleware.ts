import { Injectable, NestMiddleware } from '@nestjs/common';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';
import { ClsService } from 'nestjs-cls';
import type { RequestContext } from '../../common/context/request-context';
import { ConsoleCsrf } from './console-csrf';
import { ConsolePages, wantsHtml } from './console-pages.service';

const parseCookies = cookieParser();
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Runs before the access guard on every console route: parses cookies, gives the request the
 * same context as an API request (request id, client, then the principal, for the audit trail),
 * and refuses a form post without a valid CSRF token (403). Posts that are not urlencoded forms
 * never reach a handler (415, see ConsoleFormsOnly), so they need no token.
 */
@Injectable()
export class ConsoleMiddleware implements NestMiddleware {
  constructor(
    private readonly cls: ClsService<RequestContext>,
    private readonly csrf: ConsoleCsrf,
    private readonly pages: ConsolePages,
  ) {}

  use(req: Request & { id?: string }, res: Response, next: NextFunction): void {
    parseCookies(req, res, () => {
      const proceed = () => this.check(req, res, next);
      if (this.cls.isActive()) return proceed();
      this.cls.run(() => {
        this.cls.set('requestId', req.id);
        this.cls.set('ip', req.ip);
        this.cls.set('userAgent', req.header('user-agent')?.slice(0, 300));
        proceed();
      });
    });
  }

  private check(req: Request, res: Response, next: NextFunction): void {
    if (SAFE_METHODS.has(req.method) || !req.is('application/x-www-form-urlencoded')) return next();
    if (this.csrf.valid(req)) return next();
    if (!wantsHtml(req)) {
      res.status(403).json({
        statusCode: 403,
        code: 'FORBIDDEN',
        message: 'Missing or invalid CSRF token; reload the form and try again',
        requestId: String((req as { id?: string }).id ?? ''),
      });
      return;
    }
    this.pages
      .send(
        req,
        res,
        'error',
        { status: 403, titleKey: 'error.csrf.title', messageKey: 'error.csrf.body' },
        403,
      )
      .catch(next);
  }
}
