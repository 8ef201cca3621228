import { INestApplication, RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { IS_PUBLIC_KEY } from '../decorators/public.decorator.js';
import { RAW_RESPONSE_KEY } from '../decorators/raw-response.decorator.js';
import { AdminGuard } from '../guards/admin.guard.js';
import { NodeKeyGuard } from '../guards/node-key.guard.js';

/** Who may call a route: anyone, node agents (MU_KEY), signed-in users, or admins. */
export type RouteAccess = 'public' | 'node' | 'user' | 'admin';

export interface RouteInfo {
  method: string;
  /** Full path as served, e.g. `/app/api/v0/user/info`, `/mod_mu/users`, params as `:id`. */
  path: string;
  access: RouteAccess;
  /** `@RawResponse()`: the handler answers in its own shape, not the `{ret, msg, data}` envelope. */
  raw: boolean;
  controller: string;
  handler: string;
}

// Nest's own metadata keys (not exported by @nestjs/common's public entry point).
const PATH = 'path';
const METHOD = 'method';
const GUARDS = '__guards__';

function joinPath(...parts: (string | undefined)[]): string {
  const joined = parts
    .flatMap((p) => (p ?? '').split('/'))
    .filter((p) => p.length > 0)
    .join('/');
  return `/${joined}`;
}

function hasGuard(targets: object[], guard: unknown): boolean {
  return targets.some((t) =>
    ((Reflect.getMetadata(GUARDS, t) as unknown[] | undefined) ?? []).includes(
      guard,
    ),
  );
}

/**
 * Every HTTP route the app registered, with its access level read from the same metadata the
 * guards read. Tests use it to check every route (not a hand-kept list) for auth and docs.
 */
export function listRoutes(
  app: INestApplication,
  prefix: string,
  unprefixed: (path: string) => boolean,
): RouteInfo[] {
  const routes: RouteInfo[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as
        (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const base = Reflect.getMetadata(PATH, controller) as string | undefined;
      const proto = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const sub = Reflect.getMetadata(PATH, handler) as
          string | string[] | undefined;
        if (sub === undefined) continue;
        const method =
          RequestMethod[Reflect.getMetadata(METHOD, handler) as RequestMethod];
        for (const one of Array.isArray(sub) ? sub : [sub]) {
          const local = joinPath(base, one);
          const path = unprefixed(local) ? local : joinPath(prefix, local);
          const targets = [handler, controller];
          const isPublic = targets.some(
            (t) => Reflect.getMetadata(IS_PUBLIC_KEY, t) === true,
          );
          const access: RouteAccess = hasGuard(targets, NodeKeyGuard)
            ? 'node'
            : hasGuard(targets, AdminGuard)
              ? 'admin'
              : isPublic
                ? 'public'
                : 'user';
          const raw = targets.some(
            (t) => Reflect.getMetadata(RAW_RESPONSE_KEY, t) === true,
          );
          routes.push({
            method,
            path,
            access,
            raw,
            controller: controller.name,
            handler: name,
          });
        }
      }
    }
  }
  return routes.sort(
    (a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method),
  );
}
