import { applyDecorators, Controller, UseFilters, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CONSOLE_PREFIX } from './console.constants';
import { ConsoleExceptionFilter } from './console-exception.filter';
import { ConsoleFormsOnly } from './console-forms-only.interceptor';

/**
 * A console controller: pages under /app (outside /api/v1 and the OpenAPI document), errors as
 * pages or sign-in redirects, writes as urlencoded forms only. Each route still declares its
 * access rule (@Public, @Authenticated, @Roles) like every API route.
 */
export const ConsoleController = (path = '') =>
  applyDecorators(
    Controller(path ? `${CONSOLE_PREFIX}/${path}` : CONSOLE_PREFIX),
    ApiExcludeController(),
    UseFilters(ConsoleExceptionFilter),
    UseInterceptors(ConsoleFormsOnly),
  );
