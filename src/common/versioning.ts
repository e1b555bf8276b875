import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { AppException } from './errors';

/** Versioned records (plans, needs, offers, matches) answer GET with `ETag: "<version>"`. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/** Accepts `"3"`, `W/"3"` and a bare `3`; anything else is not a version we issued. */
export function parseIfMatch(header: string | undefined): number | null {
  if (header === undefined) return null;
  const match = /^\s*(?:W\/)?"?(\d{1,10})"?\s*$/.exec(header);
  return match ? Number(match[1]) : NaN;
}

/**
 * Optimistic concurrency: `If-Match` is required on PATCH and transitions (428 when missing)
 * and must name the current version (412 otherwise, with the current version in details).
 * Call it after loading the row with a lock and after the visibility check (404 first).
 */
export function assertVersion(ifMatch: string | undefined, currentVersion: number): void {
  const expected = parseIfMatch(ifMatch);
  if (expected === null) {
    throw new AppException('PRECONDITION_REQUIRED', "If-Match with the record's ETag is required");
  }
  if (expected !== currentVersion) {
    throw new AppException(
      'PRECONDITION_FAILED',
      `The record has changed (version ${currentVersion}); reload it and apply your change again`,
      {
        currentVersion,
        etag: etagOf(currentVersion),
      },
    );
  }
}

/** The raw `If-Match` request header (validated by `assertVersion`). */
export const IfMatch = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string | undefined => {
    return ctx.switchToHttp().getRequest<Request>().header('if-match') ?? undefined;
  },
);
