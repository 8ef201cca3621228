import { createHash } from 'node:crypto';
import type { RateLimitPolicy } from './rate-limit.decorator.js';

/** What a tracker reads of a request (Express's, or the fast paths' view of one). */
export interface TrackedRequest {
  ip?: string;
  user?: { id?: number };
  query?: Record<string, unknown>;
  params?: Record<string, unknown>;
  body?: unknown;
}

/**
 * Who a budget belongs to: the client address, the email asked for, the user, the node
 * (id + address), the token.
 */
export const TRACKERS: Record<
  RateLimitPolicy,
  (req: TrackedRequest) => string
> = {
  auth: (req) => `ip:${req.ip ?? ''}`,
  'registration-email': (req) => `email:${emailOf(req) ?? ''}`,
  payment: (req) =>
    req.user?.id !== undefined ? `user:${req.user.id}` : `ip:${req.ip ?? ''}`,
  node: (req) => `node:${nodeIdOf(req)}@${req.ip ?? ''}`,
  // The token, not the IP: a leaked URL fetched from many addresses shares one budget.
  subscription: (req) => `token:${tokenOf(req)}`,
};

/**
 * The body's email as RegisterDto normalises it (trimmed, lower case), so spellings of one
 * address share a budget; null when there is none (validation answers 400, no budget spent).
 */
function emailOf(req: TrackedRequest): string | null {
  const body = req.body;
  if (!body || typeof body !== 'object') return null;
  const email = (body as { email?: unknown }).email;
  return typeof email === 'string' && email.trim() !== ''
    ? email.trim().toLowerCase()
    : null;
}

/** Policies that count only requests that name who they are for (the others count every one). */
export const APPLIES: Partial<
  Record<RateLimitPolicy, (req: TrackedRequest) => boolean>
> = {
  'registration-email': (req) => emailOf(req) !== null,
};

function nodeIdOf(req: TrackedRequest): string {
  const id = req.query?.node_id ?? req.params?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : '';
}

function tokenOf(req: TrackedRequest): string {
  const token = req.params?.token;
  return typeof token === 'string' ? token : '';
}

/**
 * Budgets shared by every route of the policy (the library keys per handler by default): one
 * token's fetches count together whichever format or route asks.
 */
export const ACROSS_ROUTES: ReadonlySet<RateLimitPolicy> = new Set([
  'subscription',
]);

/**
 * The storage key of a budget shared across routes: the policy and a digest of the tracker (a
 * subscription token is a secret: never a Redis key). ThrottlerGuard's `generateKey` for those
 * policies, and the subscription fast path's.
 */
export function acrossRoutesKey(tracker: string, name: string): string {
  return `${name}:${createHash('sha256').update(tracker).digest('base64url').slice(0, 32)}`;
}
