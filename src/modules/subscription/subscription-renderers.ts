import type { FormatName, ProfileRenderer } from './formats/profile.js';
import type { OutputKind } from './client-detection.js';
import {
  SubscriptionErrorCode,
  SubscriptionException,
} from './subscription.exception.js';

/** Every renderer a subscription may answer with. */
export type RendererSet = Record<OutputKind, ProfileRenderer>;

/** Nest token of the RendererSet (the formats module's renderers; tests may swap them). */
export const PROFILE_RENDERERS = Symbol('PROFILE_RENDERERS');

/**
 * TEMPORARY until `formats/index.ts` (the renderers, another engineer's work) lands on main:
 * the module boots, and a fetch answers 503 instead of a made-up profile. Replaced by the real
 * RENDERERS on rebase.
 */
const unavailable: ProfileRenderer = () => {
  throw new SubscriptionException(
    SubscriptionErrorCode.SUBSCRIPTION_UNAVAILABLE,
    'Subscription formats are not available on this build',
  );
};

export const PENDING_RENDERERS: RendererSet = {
  clash: unavailable,
  singbox: unavailable,
  v2ray: unavailable,
  sip008: unavailable,
  'v2ray-json': unavailable,
  'clash-legacy': unavailable,
  'seed-links': unavailable,
} satisfies Record<FormatName | 'clash-legacy' | 'seed-links', ProfileRenderer>;
