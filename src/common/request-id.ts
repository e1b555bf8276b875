import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClsServiceManager } from 'nestjs-cls';
import pino from 'pino';
import { pinoHttp, type Options } from 'pino-http';

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

/** The provider token of the process's root pino logger (see CoreModule). */
export const ROOT_LOGGER = 'ROOT_LOGGER';

/**
 * The context of every log line: the request id inside a request, the job id inside a queued
 * job, from the request context (nestjs-cls). A line's own field of the same name wins. A new
 * object each time: pino merges the line's fields into it.
 */
function contextFields(): object {
  const cls = ClsServiceManager.getClsService();
  if (!cls.isActive()) return {};
  const requestId = cls.get('requestId') as string | undefined;
  if (requestId) return { requestId };
  const jobId = cls.get('jobId') as string | undefined;
  return jobId ? { jobId } : {};
}

/**
 * Options of the root logger every log line of a process goes through (Nest's logger via
 * nestjs-pino, and the request log): level, the service name, the request or job id of the
 * line's context, errors serialised.
 */
export function rootLoggerOptions(level: string): pino.LoggerOptions {
  return {
    level,
    base: { service: 'salw-platform' },
    mixin: contextFields,
    serializers: { err: pino.stdSerializers.err },
    // No serialiser below writes headers; the redaction stays so that credentials can never
    // reach the log should one be added back.
    redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
  };
}

/**
 * The root logger, written asynchronously to stdout (flushed at exit): a slow reader of stdout
 * (a log shipper, a full pipe) must not block the event loop on every request.
 */
export function createRootLogger(
  level: string,
  destination: pino.DestinationStream = pino.destination({ dest: 1, sync: false }),
): pino.Logger {
  return pino(rootLoggerOptions(level), destination);
}

type LoggedRequest = IncomingMessage & { id?: string; originalUrl?: string };

/** The request line's fields with its request id (set even where no request context is). */
const withRequestId = (req: IncomingMessage, fields: object) => ({
  ...fields,
  requestId: (req as LoggedRequest).id,
});

/**
 * pino-http options of the request log: one short line per request with the method, url,
 * status, response time and request id (`requestId`, as in every log line). No headers, query
 * object or client address: pino's standard serialisers built, redacted and wrote all of them
 * (~1.3 KB a line) on every request. Unwrapped, so no standard object is built first. The
 * request id is a field of the line, not a binding of a child logger: a child of the
 * per-request child cost a logger object per request.
 */
export function requestLogOptions(logger: pino.Logger): Options {
  return {
    logger,
    // The request id set by requestIdMiddleware, so logs and error bodies agree.
    genReqId: (req) => (req as LoggedRequest).id ?? '',
    wrapSerializers: false,
    serializers: {
      req: (req: LoggedRequest) => ({
        id: req.id,
        method: req.method,
        url: req.originalUrl ?? req.url,
      }),
      res: (res: ServerResponse) => ({ statusCode: res.headersSent ? res.statusCode : null }),
      // err: the root logger's.
    },
    customSuccessObject: (req, _res, fields: object) => withRequestId(req, fields),
    customErrorObject: (req, _res, _error, fields: object) => withRequestId(req, fields),
    autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
  };
}

/**
 * Mounts the request log as one plain Express middleware, after the request id and the request
 * context. Mounted through Nest's middleware module (nestjs-pino's default), it was a router
 * layer per path of the route list, about 110, which every request walked: 0.3 ms of API CPU
 * per need read and 0.4 ms per list (docs/API-SPEED.md, seventh pass). nestjs-pino's own
 * middleware is therefore mounted on no route (CoreModule); its logger writes through the same
 * root logger, whose mixin gives every line its request id.
 */
export function mountRequestLog(app: INestApplication): void {
  app.use(pinoHttp(requestLogOptions(app.get<pino.Logger>(ROOT_LOGGER))));
}
