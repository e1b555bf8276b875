import { applyDecorators, Type } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiPreconditionFailedResponse,
  ApiResponse,
} from '@nestjs/swagger';

/**
 * OpenAPI for a PATCH or transition on a versioned record (contract "General"): `If-Match`
 * required, the new `ETag` on success, and the 404 → 403 → 428/412 → 409 answers in the
 * order the services check them.
 */
export function ApiVersionedWrite(record: string, type?: Type<unknown>) {
  return applyDecorators(
    ApiHeader({ name: 'If-Match', required: true, description: `The ETag of the ${record}` }),
    ...(type
      ? [
          ApiOkResponse({
            type,
            headers: {
              ETag: { description: `The new ${record} version`, schema: { type: 'string' } },
            },
          }),
        ]
      : []),
    ApiNotFoundResponse({ description: `No such ${record}, or not visible to the caller` }),
    ApiForbiddenResponse({ description: 'Visible, but the caller may not do this' }),
    ApiPreconditionFailedResponse({ description: 'Stale If-Match (current version in details)' }),
    ApiResponse({ status: 428, description: 'If-Match missing' }),
    ApiConflictResponse({
      description:
        'INVALID_TRANSITION: not allowed from the current status (named with the allowed ones)',
    }),
  );
}
