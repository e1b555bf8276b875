import { Controller, Get, Logger, Module } from '@nestjs/common';
import { Public } from '../../src/common/access/access.decorators';
import { bootTestApi, TestApi } from '../utils/test-app';

/** A route that writes a line through Nest's logger while it serves a request. */
@Controller('log-probe')
class LogProbeController {
  private readonly logger = new Logger('LogProbe');

  @Public()
  @Get()
  async probe(): Promise<{ ok: true }> {
    await new Promise((resolve) => setImmediate(resolve));
    this.logger.log('inside the request');
    return { ok: true };
  }
}

@Module({ controllers: [LogProbeController] })
class LogProbeModule {}

type Line = Record<string, unknown> & { msg?: string; requestId?: string };

describe('request log (the real API)', () => {
  let api: TestApi;
  const lines: Line[] = [];
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
  const linesOf = (requestId: string) => lines.filter((l) => l.requestId === requestId);

  beforeAll(async () => {
    api = await bootTestApi({
      env: { LOG_LEVEL: 'info' },
      imports: [LogProbeModule],
      logTo: { write: (s: string) => lines.push(JSON.parse(s) as Line) },
    });
  });
  afterAll(() => api.close());

  it('writes one line per request: method, url, status, response time, request id', async () => {
    await api.http.get('/api/v1/countries/FRA').set('X-Request-Id', 'log-test-000001').expect(200);
    await api.http.get('/api/v1/nowhere').set('X-Request-Id', 'log-test-000002').expect(404);
    await settle();
    const [read] = linesOf('log-test-000001');
    expect(linesOf('log-test-000001')).toHaveLength(1);
    expect(read).toMatchObject({
      level: 30,
      service: 'salw-platform',
      msg: 'request completed',
      req: { id: 'log-test-000001', method: 'GET', url: '/api/v1/countries/FRA' },
      res: { statusCode: 200 },
    });
    expect(typeof read.responseTime).toBe('number');
    expect(linesOf('log-test-000002')).toEqual([
      expect.objectContaining({ msg: 'request completed', res: { statusCode: 404 } }),
    ]);
  });

  it("gives the lines Nest's logger writes during a request that request's id", async () => {
    await api.http.get('/api/v1/log-probe').set('X-Request-Id', 'log-test-000003').expect(200);
    await settle();
    const mine = linesOf('log-test-000003');
    expect(mine.map((l) => l.msg)).toEqual(['inside the request', 'request completed']);
    expect(mine[0]).toMatchObject({ context: 'LogProbe', level: 30 });
  });

  it('leaves health checks out of the log', async () => {
    await api.http.get('/health').set('X-Request-Id', 'log-test-000004').expect(200);
    await settle();
    expect(linesOf('log-test-000004')).toEqual([]);
  });
});
