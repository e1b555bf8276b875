import type { INestApplication } from '@nestjs/common';
import { isConsolePath } from '../../src/modules/console/console.constants';

export interface RouteInfo {
  method: string;
  path: string;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  name?: string;
  handle?: { stack?: Layer[] };
}

/** Every route the running Express app serves (Nest controllers and mounted routers). */
export function listRoutes(app: INestApplication): RouteInfo[] {
  const express = app.getHttpAdapter().getInstance() as {
    router?: { stack: Layer[] };
    _router?: { stack: Layer[] };
  };
  const stack = (express.router ?? express._router)?.stack ?? [];
  const routes: RouteInfo[] = [];
  for (const layer of stack) {
    if (!layer.route) continue;
    // Nest mounts middleware as route layers covering every HTTP method; a handler covers one.
    if (Object.keys(layer.route.methods).length > 1) continue;
    const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
    for (const path of paths) {
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== '_all') routes.push({ method: method.toUpperCase(), path });
      }
    }
  }
  return routes;
}

/** Express `/a/:id` → OpenAPI `/a/{id}`. */
export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/**
 * Routes outside the API document: Swagger UI's own, and the web console's pages (/app), which
 * are excluded from OpenAPI. The access matrix still checks every console route through
 * `declaredRoutes` (test/utils/access-rules.ts): each must declare a rule and get exactly its
 * allow or deny.
 */
export function isDocsRoute(path: string): boolean {
  return (
    isConsolePath(path) ||
    path === '/docs' ||
    path.startsWith('/docs/') ||
    path.startsWith('/docs-') ||
    path.startsWith('/docs*')
  );
}
