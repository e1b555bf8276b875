import { Controller, Get, INestApplication, Module, Req } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import type { ExpressAdapter } from '@nestjs/platform-express';
import type { Request } from 'express';
import { ClsModule, ClsService } from 'nestjs-cls';
import request from 'supertest';
import { mountRequestContext, requestContextModule, withoutNoopEnhancers } from './cls';

type AnyModule = { providers?: unknown[]; imports?: unknown[] };

/** Every provider token of a dynamic module and its dynamic imports. */
function tokens(module: AnyModule): unknown[] {
  return [
    ...(module.providers ?? []).map((p) =>
      typeof p === 'object' && p ? (p as { provide: unknown }).provide : p,
    ),
    ...(module.imports ?? []).flatMap((m) =>
      typeof m === 'object' && m && 'module' in m ? tokens(m as AnyModule) : [],
    ),
  ];
}

@Controller('context')
class ContextController {
  constructor(private readonly cls: ClsService) {}

  @Get()
  async read(@Req() req: Request & { id?: string }) {
    // Across an await, as in every handler that queries the database.
    await new Promise((resolve) => setImmediate(resolve));
    return {
      active: this.cls.isActive(),
      requestId: this.cls.get<string>('requestId'),
      reqId: req.id,
      userAgent: this.cls.get<string>('userAgent'),
    };
  }
}

describe('request context module', () => {
  it('keeps nestjs-cls but none of the global no-op guard and interceptor it registers', () => {
    // The library does register them: if it stops, this helper is no longer needed.
    const plain = tokens(ClsModule.forRoot({ middleware: { mount: true } }));
    expect(plain).toEqual(expect.arrayContaining([APP_GUARD, APP_INTERCEPTOR]));
    const ours = tokens(requestContextModule());
    expect(ours).not.toContain(APP_GUARD);
    expect(ours).not.toContain(APP_INTERCEPTOR);
    // Only those two: the options providers stay.
    expect(ours).toHaveLength(plain.length - 2);
    expect(tokens(withoutNoopEnhancers({ module: class {}, providers: [ClsService] }))).toEqual([
      ClsService,
    ]);
  });

  describe('in an application', () => {
    let app: INestApplication;

    beforeAll(async () => {
      @Module({ imports: [requestContextModule()], controllers: [ContextController] })
      class TestModule {}
      app = await NestFactory.create(TestModule, { logger: false });
      app.use((req: Request & { id?: string }, _res: unknown, next: () => void) => {
        req.id = String(req.headers['x-test-id']);
        next();
      });
      mountRequestContext(app);
      await app.init();
    });

    afterAll(() => app.close());

    it('has no global interceptor, so routes skip the interceptor chain', () => {
      const config = (app as unknown as { config: { getGlobalInterceptors(): unknown[] } }).config;
      expect(config.getGlobalInterceptors()).toEqual([]);
    });

    it('mounts the context middleware as one router layer', async () => {
      @Module({ imports: [requestContextModule()] })
      class EmptyModule {}
      const other = await NestFactory.create(EmptyModule, { logger: false });
      const stack = () =>
        (other.getHttpAdapter() as ExpressAdapter).getInstance<{ router: { stack: unknown[] } }>()
          .router.stack.length;
      other.use((_req: unknown, _res: unknown, next: () => void) => next());
      const before = stack();
      mountRequestContext(other);
      expect(stack()).toBe(before + 1);
      await other.close();
    });

    it('gives each request its own context, kept across awaits', async () => {
      const answers = await Promise.all(
        ['req-a', 'req-b', 'req-c'].map((id) =>
          request(app.getHttpServer())
            .get('/context')
            .set('x-test-id', id)
            .set('user-agent', `agent-${id}`),
        ),
      );
      answers.forEach((res, i) => {
        const id = ['req-a', 'req-b', 'req-c'][i];
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          active: true,
          requestId: id,
          reqId: id,
          userAgent: `agent-${id}`,
        });
      });
    });
  });
});
