import type { ProfileEntry, ProfileInput, RenderedProfile } from './profile.js';
import { uniqueNames } from './format-helpers.js';
import { usableMethod } from './shadowsocks-ciphers.js';

/** One SIP008 server (shadowsocks-org SIP008: Online Configuration Delivery). */
export interface Sip008Server {
  id: string;
  remarks: string;
  server: string;
  server_port: number;
  password: string;
  method: string;
  plugin?: string;
  plugin_opts?: string;
}

export interface Sip008Document {
  version: 1;
  servers: Sip008Server[];
  bytes_used?: number;
  bytes_remaining?: number;
}

/** SIP008 JSON: Shadowsocks (incl. 2022) entries only; other protocols have no SIP008 form. */
export function renderSip008(input: ProfileInput): RenderedProfile {
  const entries = input.entries.filter(
    (e) =>
      (e.node.protocol === 'shadowsocks' ||
        e.node.protocol === 'shadowsocks2022') &&
      usableMethod(e) !== null,
  );
  const names = uniqueNames(entries);
  const doc: Sip008Document = {
    version: 1,
    servers: entries.map((entry, i) => sip008Server(entry, names[i])),
  };
  if (input.usage) {
    doc.bytes_used = input.usage.bytesUsed;
    doc.bytes_remaining = input.usage.bytesRemaining;
  }
  return {
    body: JSON.stringify(doc, null, 2),
    contentType: 'application/json; charset=utf-8',
    extension: 'json',
  };
}

function sip008Server(entry: ProfileEntry, name: string): Sip008Server {
  const { node, credentials } = entry;
  const server: Sip008Server = {
    id: sip008Id(node.id),
    remarks: name,
    server: node.address,
    server_port: credentials.port,
    password: credentials.password,
    method: credentials.method ?? '',
  };
  if (node.protocol === 'shadowsocks' && node.plugin) {
    server.plugin = node.plugin.name;
    server.plugin_opts = node.plugin.options;
  }
  return server;
}

/**
 * SIP008 wants a UUID per server that stays the same across fetches, so clients keep their
 * per-server settings: derived from the node id.
 */
function sip008Id(nodeId: number): string {
  const hex = nodeId.toString(16).padStart(12, '0').slice(-12);
  return `00000000-0000-4000-8000-${hex}`;
}
