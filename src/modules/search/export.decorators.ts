import { applyDecorators } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiProduces } from '@nestjs/swagger';

/** OpenAPI of a CSV export route. */
export const ApiCsvExport = (what: string) =>
  applyDecorators(
    ApiProduces('text/csv'),
    ApiOkResponse({
      description: `${what} visible to the caller, filtered and sorted as the list (limit and cursor ignored: every matching row), as CSV (RFC 4180, UTF-8, header row; lists joined by ";"), streamed`,
      content: { 'text/csv': { schema: { type: 'string' } } },
      headers: {
        'Content-Disposition': {
          description: 'attachment; filename="….csv"',
          schema: { type: 'string' },
        },
      },
    }),
    ApiBadRequestResponse({
      description: 'Invalid or unknown filter value (UNKNOWN_FILTER_VALUE)',
    }),
  );
