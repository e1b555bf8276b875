import type { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { ACCESS_RULE, AccessRule } from '../../src/common/access/access.decorators';
import { API_PREFIX, UNPREFIXED } from '../../src/bootstrap';
import { isConsolePath } from '../../src/modules/console/console.constants';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'ALL', 'OPTIONS', 'HEAD', 'SEARCH'];

export interface DeclaredRoute {
  method: string;
  path: string;
  rule: AccessRule | undefined;
  handler: string;
}

const join = (...parts: string[]) =>
  '/' +
  parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/');

/** Every controller route of the running app with the access rule it declares (if any). */
export function declaredRoutes(app: INestApplication): DeclaredRoute[] {
  const routes: DeclaredRoute[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const ctor = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
      if (!ctor) continue;
      const classPaths = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, ctor) ?? '/');
      const classRule: AccessRule | undefined = Reflect.getMetadata(ACCESS_RULE, ctor);
      const proto = ctor.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const fn = proto[name];
        if (name === 'constructor' || typeof fn !== 'function') continue;
        const methodIndex: number | undefined = Reflect.getMetadata(METHOD_METADATA, fn);
        if (methodIndex === undefined) continue;
        const methodPaths = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, fn) ?? '/');
        const rule: AccessRule | undefined = Reflect.getMetadata(ACCESS_RULE, fn) ?? classRule;
        for (const cp of classPaths) {
          for (const mp of methodPaths) {
            const local = join(cp, mp);
            // Health, metrics and the web console (/app) are served outside the API prefix.
            const prefixed =
              UNPREFIXED.includes(local.slice(1)) || isConsolePath(local)
                ? local
                : join(API_PREFIX, local);
            routes.push({
              method: METHODS[methodIndex],
              path: prefixed,
              rule,
              handler: `${ctor.name}.${name}`,
            });
          }
        }
      }
    }
  }
  return routes;
}
