import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { HttpExceptionFilter } from '../../common/http-exception.filter';
import { SESSION_COOKIE } from './console.constants';
import { ConsolePages, wantsHtml } from './console-pages.service';

/**
 * Errors on console routes: a browser without a session is sent to sign-in (and back afterwards),
 * other errors get a page in the user's language; callers that do not ask for HTML get the API's
 * JSON error body, with the same status.
 */
@Catch()
export class ConsoleExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ConsoleExceptionFilter');
  private readonly json = new HttpExceptionFilter();

  constructor(private readonly pages: ConsolePages) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request & { id?: string }>();
    const res = host.switchToHttp().getResponse<Response>();
    const body = this.json.toBody(exception, String(req.id ?? ''));
    if (body.statusCode >= 500) {
      this.logger.error({ err: exception, requestId: body.requestId }, body.message);
    }
    if (res.headersSent) return;
    if (!wantsHtml(req)) {
      res.status(body.statusCode).json(body);
      return;
    }
    if (body.statusCode === 401) {
      res.clearCookie(SESSION_COOKIE, { path: '/app' });
      const back = req.method === 'GET' ? req.originalUrl : (req.get('referer') ?? '/app');
      let next = '/app';
      try {
        const url = new URL(back, 'http://console.invalid');
        next = url.pathname + url.search;
      } catch {
        // keep the home page
      }
      res.redirect(303, `/app/login?next=${encodeURIComponent(next)}`);
      return;
    }
    const known = [400, 403, 404, 409, 412, 413, 415, 422, 428, 429].includes(body.statusCode);
    void this.pages
      .send(
        req,
        res,
        'error',
        {
          status: body.statusCode,
          titleKey: known ? `error.${body.statusCode}.title` : 'error.500.title',
          messageKey: known ? `error.${body.statusCode}.body` : 'error.500.body',
          // The service's own message says what was wrong (e.g. which transition is allowed).
          detail: body.statusCode < 500 ? body.message : null,
          requestId: body.requestId,
        },
        body.statusCode,
      )
      .catch((error: unknown) => {
        this.logger.error({ err: error }, 'Could not render the error page');
        if (!res.headersSent) res.status(body.statusCode).json(body);
      });
  }
}
