import { RequestMethod } from '@nestjs/common';

/**
 * The route prefixes, once. Controllers, the bootstrap (global prefix, body limits, helmet), the
 * OpenAPI builder, the node fast path and the payment notify URL all read them from here; this
 * file imports nothing of the app, so nothing cycles through the bootstrap.
 */

/** The prefix of every enveloped route (`/app/api/v0/...`). */
export const API_PREFIX = 'app/api/v0';

/** SSPanel's WebAPI as XrayR speaks it, outside the API prefix (`/mod_mu/...`). */
export const SSPANEL_PREFIX = 'mod_mu';

/** V2Board's UniProxy node API as V2bX / XrayR (V2board mode) call it, outside the API prefix. */
export const UNIPROXY_PREFIX = 'api/v1/server/UniProxy';

/** The seed node agents' routes, under the API prefix (`/app/api/v0/node/...`). */
export const SEED_NODE_PREFIX = 'node';

/** The subscription URLs clients import: `/sub/:token[/:format]` and the seed's `/link/:token`. */
export const SUBSCRIPTION_PREFIX = 'sub';
export const SEED_LINK_PREFIX = 'link';

/** Gateway callbacks (`/app/api/v0/payment/notify/<gateway>`): their raw body is kept. */
export const PAYMENT_NOTIFY_PATH = `/${API_PREFIX}/payment/notify`;

/** The served paths of the node dialects' roots. */
export const SSPANEL_PATH = `/${SSPANEL_PREFIX}`;
export const UNIPROXY_PATH = `/${UNIPROXY_PREFIX}`;
export const SEED_NODE_PATH = `/${API_PREFIX}/${SEED_NODE_PREFIX}`;

/**
 * Roots served outside the API prefix: probes, metrics, docs, the SSPanel and UniProxy node
 * dialects and the subscription URLs clients import.
 */
const UNPREFIXED_ROOTS = [
  'health',
  'ready',
  'metrics',
  'docs',
  'docs-json',
  SSPANEL_PREFIX,
  UNIPROXY_PREFIX,
  SUBSCRIPTION_PREFIX,
  SEED_LINK_PREFIX,
] as const;

/** The global prefix's exclusions (`app.setGlobalPrefix(API_PREFIX, { exclude })`). */
export const UNPREFIXED_ROUTES = [
  { path: 'health', method: RequestMethod.GET },
  { path: 'ready', method: RequestMethod.GET },
  { path: 'metrics', method: RequestMethod.GET },
  { path: 'docs', method: RequestMethod.ALL },
  { path: 'docs/{*rest}', method: RequestMethod.ALL },
  { path: 'docs-json', method: RequestMethod.GET },
  { path: `${SSPANEL_PREFIX}/{*rest}`, method: RequestMethod.ALL },
  { path: `${UNIPROXY_PREFIX}/{*rest}`, method: RequestMethod.ALL },
  { path: `${SUBSCRIPTION_PREFIX}/{*rest}`, method: RequestMethod.ALL },
  { path: `${SEED_LINK_PREFIX}/{*rest}`, method: RequestMethod.ALL },
];

function isUnder(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

/** Is this served path (`/health`, `/mod_mu/users`, ...) outside the API prefix? */
export function isUnprefixedPath(path: string): boolean {
  return UNPREFIXED_ROOTS.some((root) => isUnder(path, `/${root}`));
}

/** Is this served path one of the node agents' (SSPanel's, UniProxy's or the seed dialect's)? */
export function isNodeAgentPath(path: string): boolean {
  return (
    isUnder(path, SSPANEL_PATH) ||
    isUnder(path, UNIPROXY_PATH) ||
    isUnder(path, SEED_NODE_PATH)
  );
}

/** Is this served path a payment gateway's callback (`/app/api/v0/payment/notify/...`)? */
export function isGatewayCallbackPath(path: string): boolean {
  return isUnder(path, PAYMENT_NOTIFY_PATH);
}

/** Is this served path V2Board's UniProxy dialect? */
export function isUniProxyPath(path: string): boolean {
  return isUnder(path, UNIPROXY_PATH);
}

/** Is this served path SSPanel's dialect? */
export function isSspanelPath(path: string): boolean {
  return isUnder(path, SSPANEL_PATH);
}

/** Is this served path a subscription profile URL (`/sub/...`, `/link/...`)? */
export function isSubscriptionFeedPath(path: string): boolean {
  return (
    isUnder(path, `/${SUBSCRIPTION_PREFIX}`) ||
    isUnder(path, `/${SEED_LINK_PREFIX}`)
  );
}
