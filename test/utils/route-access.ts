import type { RouteAccess } from '../../src/common/http/route-inventory.js';

/**
 * The access level every route must have, decided by its path alone (the README's API table),
 * written out here rather than read from the guard metadata the app enforces: a route that
 * loses its guard, or a guard that stops being recognised, then disagrees with this list
 * instead of moving silently into a weaker group of the access tests.
 */

/** The public routes, one by one: a new public route must be added here on purpose. */
export const PUBLIC_ROUTES: readonly string[] = [
  'POST /app/api/v0/auth/login',
  'POST /app/api/v0/auth/register',
  'GET /app/api/v0/payment/notify/:gateway',
  'POST /app/api/v0/payment/notify/:gateway',
  'GET /health',
  'GET /ready',
  'GET /metrics',
  'GET /sub/:token',
  'GET /sub/:token/:format',
  'GET /link/:token',
];

const NODE_ROOTS = [
  '/app/api/v0/node/',
  '/mod_mu/',
  '/api/v1/server/UniProxy/',
];

export function expectedAccess(method: string, path: string): RouteAccess {
  if (PUBLIC_ROUTES.includes(`${method} ${path}`)) return 'public';
  if (path.startsWith('/app/api/v0/admin/')) return 'admin';
  if (NODE_ROOTS.some((root) => path.startsWith(root))) return 'node';
  if (path.startsWith('/app/api/v0/')) return 'user';
  throw new Error(
    `${method} ${path}: no expected access level; add it to test/utils/route-access.ts`,
  );
}
