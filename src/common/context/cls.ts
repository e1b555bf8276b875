import type { DynamicModule, INestApplication, Provider } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { Request } from 'express';
import { ClsMiddleware, ClsMiddlewareOptions, ClsModule } from 'nestjs-cls';

/**
 * What nestjs-cls's middleware sets at the start of every request. It is switched to the
 * least work: there are no plugins and no proxy providers, and nothing reads the stored
 * request object, so those steps are off. They awaited plugin hooks, resolved proxy providers
 * with a dynamic `require`, and stored the request on every request.
 */
const MIDDLEWARE_OPTIONS: ClsMiddlewareOptions = {
  resolveProxyProviders: false,
  initializePlugins: false,
  saveReq: false,
  setup: (cls, req: Request & { id?: string }) => {
    cls.set('requestId', req.id);
    cls.set('ip', req.ip);
    cls.set('userAgent', req.header('user-agent')?.slice(0, 300));
  },
};

/**
 * The per-request (and per-job) context module: request id, client address and user agent are
 * set by nestjs-cls's middleware on every request (`mountRequestContext`), the principal by the
 * access guard.
 *
 * nestjs-cls registers a global guard and a global interceptor even when neither is mounted.
 * Both are no-ops, but a global interceptor puts every route through Nest's interceptor chain
 * (RxJS, and two `AsyncResource.bind` per request, each defining deprecated accessors). They
 * are left out. Measured by alternating two API processes under the same load
 * (docs/API-SPEED.md, fifth pass), this and the middleware options above saved 0.3 ms of API
 * CPU per need read and 0.5 ms per list.
 */
export function requestContextModule(): DynamicModule {
  return withoutNoopEnhancers(
    ClsModule.forRoot({
      global: true,
      // Mounted by mountRequestContext, not by Nest's middleware module.
      middleware: { ...MIDDLEWARE_OPTIONS, mount: false },
      // Not mounted: the guard and the interceptor would only start a context the middleware
      // already started.
      guard: { mount: false },
      interceptor: { mount: false },
    }),
  );
}

/**
 * Mounts nestjs-cls's middleware as one plain Express middleware, as its documentation shows
 * for a manual mount. Nest's middleware module mounts a global middleware on every path of its
 * route list: the prefixed API, each path excluded from the prefix and the console's routes.
 * With the request timing and the console's middleware, that made 230 router layers besides the
 * routes, and every request walks the layers up to its route.
 */
export function mountRequestContext(app: INestApplication): void {
  app.use(new ClsMiddleware(MIDDLEWARE_OPTIONS).use);
}

const isEnhancer = (p: Provider): boolean =>
  typeof p === 'object' &&
  'provide' in p &&
  (p.provide === APP_GUARD || p.provide === APP_INTERCEPTOR);

/** The module with every APP_GUARD / APP_INTERCEPTOR provider of it and its imports removed. */
export function withoutNoopEnhancers(module: DynamicModule): DynamicModule {
  return {
    ...module,
    providers: module.providers?.filter((p) => !isEnhancer(p)),
    imports: module.imports?.map((m) =>
      typeof m === 'object' && m !== null && 'module' in m
        ? withoutNoopEnhancers(m as DynamicModule)
        : m,
    ),
  };
}
