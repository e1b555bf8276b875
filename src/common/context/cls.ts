import type { DynamicModule, Provider } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { Request } from 'express';
import { ClsModule } from 'nestjs-cls';

/**
 * The per-request (and per-job) context module: request id, client address and user agent are
 * set by nestjs-cls's middleware on every request, the principal by the access guard.
 *
 * Two things nestjs-cls does by default cost every request and buy this platform nothing
 * (measured by alternating two API processes under the same load, docs/API-SPEED.md, fifth
 * pass: 0.3 ms of API CPU per need read, 0.5 ms per list):
 * - its middleware awaits the plugin hooks, stores the request object and resolves the proxy
 *   providers (a dynamic `require` per request); there are no plugins, no proxy providers and
 *   nothing reads the stored request, so these are switched off;
 * - it registers a global guard and a global interceptor even when neither is mounted: no-ops,
 *   but a global interceptor puts every route through Nest's interceptor chain (RxJS, and two
 *   `AsyncResource.bind` per request, each defining deprecated accessors). They are left out.
 */
export function requestContextModule(): DynamicModule {
  return withoutNoopEnhancers(
    ClsModule.forRoot({
      global: true,
      middleware: {
        mount: true,
        resolveProxyProviders: false,
        initializePlugins: false,
        saveReq: false,
        setup: (cls, req: Request & { id?: string }) => {
          cls.set('requestId', req.id);
          cls.set('ip', req.ip);
          cls.set('userAgent', req.header('user-agent')?.slice(0, 300));
        },
      },
      // Not mounted: the guard and the interceptor would only start a context the middleware
      // already started.
      guard: { mount: false },
      interceptor: { mount: false },
    }),
  );
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
