import { renderClash } from './clash.js';
import type { FormatName, ProfileRenderer } from './profile.js';
import { renderSingbox } from './singbox.js';
import { renderSip008 } from './sip008.js';
import { renderV2ray, renderSeedLinks } from './v2ray.js';
import { renderV2rayJson } from './v2ray-json.js';

export * from './profile.js';
export { renderClash, type ClashOptions } from './clash.js';
export { renderSingbox } from './singbox.js';
export { renderSip008 } from './sip008.js';
export { renderV2ray, renderSeedLinks } from './v2ray.js';
export {
  renderV2rayJson,
  type V2rayCore,
  type V2rayJsonOptions,
} from './v2ray-json.js';
export { uriLink, uriLinks } from './uri-links.js';

/** The renderer of each `/sub/:token/:format` format. */
export const RENDERERS: Record<FormatName, ProfileRenderer> = {
  clash: (input) => renderClash(input, { meta: true }),
  singbox: renderSingbox,
  v2ray: renderV2ray,
  sip008: renderSip008,
  'v2ray-json': (input) => renderV2rayJson(input, { core: 'xray' }),
};

/** Dreamacro's Clash (UA `clash` without a Meta marker): ss, vmess and trojan only. */
export const renderLegacyClash: ProfileRenderer = (input) =>
  renderClash(input, { meta: false });

/** `v2ray-json` for v2ray-core 4.x clients (no Reality, Vision, 2022, grpc, httpupgrade). */
export const renderV2rayCoreJson: ProfileRenderer = (input) =>
  renderV2rayJson(input, { core: 'v2ray' });

/** The seed route `/link/:token`: the base64 list joined by `\n`. */
export const renderSeedLinkList: ProfileRenderer = renderSeedLinks;
