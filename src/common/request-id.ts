import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';
import type { Options } from 'pino-http';

const SAFE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Gives every request an id (a caller's well-formed X-Request-Id is kept), echoes it in
 * the response header, and lets the logger and the error filter use the same value.
 */
export function requestIdMiddleware(
  req: Request & { id?: string },
  res: Response,
  next: NextFunction,
) {
  const incoming = req.header('x-request-id');
  req.id = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', req.id);
  next();
}

type LoggedRequest = IncomingMessage & { id?: string; originalUrl?: string };

/**
 * pino-http options of the request log: one short line per request with the method, url,
 * status, response time and request id (`requestId`, as in every log line). No headers, query
 * object or client address: pino's standard serialisers built, redacted and wrote all of them
 * (~1.3 KB a line) on every request. Unwrapped, so no standard object is built first.
 */
export function requestLogOptions(level: string): Options {
  return {
    level,
    // The request id set by requestIdMiddleware, so logs and error bodies agree.
    genReqId: (req) => (req as LoggedRequest).id ?? '',
    customProps: (req) => ({ requestId: (req as LoggedRequest).id }),
    wrapSerializers: false,
    serializers: {
      req: (req: LoggedRequest) => ({
        id: req.id,
        method: req.method,
        url: req.originalUrl ?? req.url,
      }),
      res: (res: ServerResponse) => ({ statusCode: res.headersSent ? res.statusCode : null }),
      err: pino.stdSerializers.err,
    },
    // The serialisers above keep no headers; the redaction stays so that credentials can never
    // reach the log should one be added back.
    redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
    autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
    base: { service: 'salw-platform' },
  };
}
