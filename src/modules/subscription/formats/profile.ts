import type {
  ClientCredentials,
  NodeProtocol,
} from '../../node/protocol/index.js';

/** One node as one user's client sees it. */
export interface ProfileEntry {
  node: NodeProtocol;
  /** The display name: the node's name, with the rate suffix when the rate is not 1. */
  name: string;
  credentials: ClientCredentials;
}

export interface ProfileInput {
  /** In `sort` order; already filtered to what the user may use now. */
  entries: ProfileEntry[];
  /** The site's name: profile title, default group name. */
  title: string;
  /** Traffic figures for formats that carry them in the body (SIP008). */
  usage?: ProfileUsage;
}

export interface ProfileUsage {
  bytesUsed: number;
  /** 0 when the quota is spent; omit `usage` for an unlimited plan. */
  bytesRemaining: number;
}

/** The formats `/sub/:token/:format` serves. */
export type FormatName =
  'clash' | 'singbox' | 'v2ray' | 'sip008' | 'v2ray-json';

export const FORMAT_NAMES: readonly FormatName[] = [
  'clash',
  'singbox',
  'v2ray',
  'sip008',
  'v2ray-json',
];

export interface RenderedProfile {
  body: string;
  /** The full Content-Type header value. */
  contentType: string;
  /** File extension for content-disposition (`yaml`, `json`, `txt`). */
  extension: string;
}

/** A format: pure, synchronous, leaves out entries it cannot carry. */
export type ProfileRenderer = (input: ProfileInput) => RenderedProfile;
