import { Controller, Get, Module } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { Public } from '../../src/common/access/access.decorators';
import { bootTestApi, TestApi } from '../utils/test-app';

/** A request that takes a while, to be in flight when the API is asked to stop. */
@Controller('slow-for-shutdown-test')
class SlowController {
  @Get()
  @Public()
  async slow() {
    await new Promise((r) => setTimeout(r, 800));
    return { finished: true };
  }
}
@Module({ controllers: [SlowController] })
class SlowModule {}

describe('graceful shutdown of the API', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await bootTestApi({ imports: [SlowModule] });
  });
  afterAll(() => api.close().catch(() => undefined));

  it('lets an in-flight request finish, then refuses new connections', async () => {
    await api.app.listen(0, '127.0.0.1');
    const { port } = api.app.getHttpServer().address() as AddressInfo;
    const inFlight = fetch(`http://127.0.0.1:${port}/api/v1/slow-for-shutdown-test`);
    await new Promise((r) => setTimeout(r, 200));
    const closing = api.app.close();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ finished: true });
    await closing;
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});
