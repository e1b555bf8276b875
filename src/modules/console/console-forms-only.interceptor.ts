import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { AppException } from '../../common/errors';

/**
 * Console writes accept urlencoded forms only. Anything else (JSON, multipart, text/plain, no
 * body) is refused with 415 before the handler runs — so the CSRF check, which covers every
 * urlencoded post, covers every write the console performs.
 */
@Injectable()
export class ConsoleFormsOnly implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    if (req.method === 'POST' && !req.is('application/x-www-form-urlencoded')) {
      throw new AppException(
        'UNSUPPORTED_MEDIA_TYPE',
        'The console accepts HTML form posts (application/x-www-form-urlencoded) only; use /api/v1 for JSON',
      );
    }
    return next.handle();
  }
}
