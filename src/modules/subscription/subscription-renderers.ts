import type { OutputKind } from './client-detection.js';
import {
  type ProfileRenderer,
  RENDERERS,
  renderLegacyClash,
  renderSeedLinkList,
} from './formats/index.js';

/** Every renderer a subscription may answer with. */
export type RendererSet = Record<OutputKind, ProfileRenderer>;

/** Nest token of the RendererSet (tests may swap in a failing one). */
export const PROFILE_RENDERERS = Symbol('PROFILE_RENDERERS');

/** The formats' renderers, plus plain Clash and the seed's `/link` list. */
export const SUBSCRIPTION_RENDERERS: RendererSet = {
  ...RENDERERS,
  'clash-legacy': renderLegacyClash,
  'seed-links': renderSeedLinkList,
};
