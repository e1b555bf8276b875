import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClsServiceManager } from 'nestjs-cls';
import { pinoHttp } from 'pino-http';
import { createRootLogger, requestLogOptions } from './request-id';

/** A root logger at `level` whose lines are collected, parsed, in `lines`. */
function collecting(level: string) {
  const lines: Record<string, unknown>[] = [];
  const logger = createRootLogger(level, {
    write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>),
  });
  return { logger, lines };
}

/** Runs one request through the request log and returns the parsed lines written. */
function logOne(level: string, url: string, statusCode: number): Record<string, unknown>[] {
  const { logger, lines } = collecting(level);
  const middleware = pinoHttp(requestLogOptions(logger));
  const req = {
    id: 'req-0001-abcdef',
    method: 'GET',
    url,
    originalUrl: url,
    headers: {
      host: '127.0.0.1',
      authorization: 'Bearer secret-token-value',
      cookie: 'sid=secret-cookie',
      'x-api-key': 'secret-api-key',
    },
    socket: { remoteAddress: '127.0.0.1', remotePort: 51234 },
  };
  const res = Object.assign(new EventEmitter(), {
    statusCode,
    headersSent: true,
    writableEnded: true,
    getHeaders: () => ({ 'set-cookie': 'sid=secret-cookie', 'x-request-id': req.id }),
  });
  middleware(req as unknown as IncomingMessage, res as unknown as ServerResponse, () => undefined);
  res.emit('finish');
  return lines;
}

describe('request log', () => {
  it('writes one short line: method, url, status, response time and request id', () => {
    const lines = logOne('info', '/api/v1/needs?region=Africa&limit=50', 200);
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({
      level: 30,
      service: 'salw-platform',
      req: { id: 'req-0001-abcdef', method: 'GET', url: '/api/v1/needs?region=Africa&limit=50' },
      requestId: 'req-0001-abcdef',
      res: { statusCode: 200 },
      msg: 'request completed',
    });
    expect(typeof line.responseTime).toBe('number');
    expect(Object.keys(line.req as object).sort()).toEqual(['id', 'method', 'url']);
    expect(Object.keys(line.res as object)).toEqual(['statusCode']);
  });

  it('never writes credentials from request or response headers', () => {
    const text = JSON.stringify(logOne('info', '/api/v1/needs', 200));
    expect(text).not.toMatch(/secret|authorization|cookie|x-api-key/i);
  });

  it('logs a server error with the error and the status', () => {
    const [line] = logOne('info', '/api/v1/needs', 503);
    expect(line).toMatchObject({ level: 30, res: { statusCode: 503 }, msg: 'request errored' });
    expect((line.err as { message: string }).message).toBe('failed with status code 503');
  });

  it('follows LOG_LEVEL and leaves health checks out', () => {
    expect(logOne('warn', '/api/v1/needs', 200)).toEqual([]);
    expect(logOne('silent', '/api/v1/needs', 200)).toEqual([]);
    expect(logOne('info', '/health/ready', 200)).toEqual([]);
  });

  it('gives every line the request id, or the job id, of its context; its own field wins', () => {
    const { logger, lines } = collecting('info');
    const cls = ClsServiceManager.getClsService();
    logger.info('outside any context');
    cls.run(() => {
      cls.set('requestId', 'req-0002-abcdef');
      logger.info('inside a request');
      logger.info({ requestId: 'req-own-0003' }, 'with its own id');
    });
    cls.run(() => {
      cls.set('jobId', 'matching:42');
      logger.warn('inside a job');
    });
    expect(lines.map((l) => [l.msg, l.requestId, l.jobId])).toEqual([
      ['outside any context', undefined, undefined],
      ['inside a request', 'req-0002-abcdef', undefined],
      ['with its own id', 'req-own-0003', undefined],
      ['inside a job', undefined, 'matching:42'],
    ]);
    expect(lines.every((l) => l.service === 'salw-platform')).toBe(true);
  });
});
