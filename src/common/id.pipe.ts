import { ParseUUIDPipe } from '@nestjs/common';
import { AppException } from './errors';

/** A path id that is not a UUID names nothing that exists: 404, like any absent record. */
export const IdPipe = new ParseUUIDPipe({
  exceptionFactory: () => new AppException('NOT_FOUND', 'Not found'),
});
