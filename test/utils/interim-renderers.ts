/**
 * TEMPORARY: stand-in renderers for the subscription e2e specs until the real ones
 * (`src/modules/subscription/formats/index.ts`) land on main. They emit the same outer shapes
 * (base64 URI lines, Clash YAML `proxies`, sing-box `outbounds`, SIP008 `servers`, v2ray JSON
 * `outbounds`) so the specs read real output unchanged once swapped. Delete with the swap.
 */
import { stringify } from 'yaml';
import type {
  ProfileInput,
  ProfileRenderer,
} from '../../src/modules/subscription/formats/profile.js';
import type { RendererSet } from '../../src/modules/subscription/subscription-renderers.js';

const uri = (input: ProfileInput): string[] =>
  input.entries.map((e) =>
    e.node.protocol === 'vmess'
      ? `vmess://${Buffer.from(JSON.stringify({ v: '2', ps: e.name, add: e.node.address, port: String(e.credentials.port), id: e.credentials.uuid })).toString('base64')}`
      : `${e.node.protocol.startsWith('shadowsocks') ? 'ss' : e.node.protocol}://${e.credentials.uuid}@${e.node.address}:${e.credentials.port}#${encodeURIComponent(e.name)}`,
  );

/** Plain Clash (not mihomo) has no VLESS, Hysteria2 or TUIC. */
const LEGACY_CLASH_LEAVES_OUT = new Set(['vless', 'hysteria2', 'tuic']);

const base64List: ProfileRenderer = (input) => ({
  body: Buffer.from(uri(input).join('\n')).toString('base64'),
  contentType: 'text/plain; charset=utf-8',
  extension: 'txt',
});

const clash: ProfileRenderer = (input) => ({
  body: stringify({
    proxies: input.entries.map((e) => ({
      name: e.name,
      type: e.node.protocol === 'shadowsocks' ? 'ss' : e.node.protocol,
      server: e.node.address,
      port: e.credentials.port,
    })),
  }),
  contentType: 'text/yaml; charset=utf-8',
  extension: 'yaml',
});

const json = (value: unknown) => ({
  body: JSON.stringify(value),
  contentType: 'application/json; charset=utf-8',
  extension: 'json',
});

export const INTERIM_RENDERERS: RendererSet = {
  clash,
  'clash-legacy': (input) =>
    clash({
      ...input,
      entries: input.entries.filter(
        (e) => !LEGACY_CLASH_LEAVES_OUT.has(e.node.protocol),
      ),
    }),
  singbox: (input) =>
    json({
      outbounds: input.entries.map((e) => ({
        tag: e.name,
        type: e.node.protocol,
        server: e.node.address,
      })),
    }),
  v2ray: base64List,
  'seed-links': base64List,
  sip008: (input) =>
    json({
      version: 1,
      servers: input.entries
        .filter((e) => e.node.protocol.startsWith('shadowsocks'))
        .map((e) => ({ remarks: e.name, server: e.node.address })),
    }),
  'v2ray-json': (input) =>
    json({
      outbounds: input.entries.map((e) => ({
        tag: e.name,
        protocol: e.node.protocol,
      })),
    }),
};
