import { isIP } from 'node:net';

/** What `ss_node.server` holds besides the address, as custom_config-style keys. */
export interface ParsedServer {
  address: string;
  /** Settings carried in the server string (the seed origin's query form). */
  settings: Record<string, string>;
}

/** The seed origin's query keys → the custom_config keys the model reads. */
const SEED_KEYS: Record<string, string> = {
  port: 'offset_port_user',
  net: 'network',
  type: 'header_type',
  host: 'host',
  path: 'path',
  tls: 'security',
  security: 'security',
  sni: 'sni',
  flow: 'flow',
  serviceName: 'servicename',
  servicename: 'servicename',
  alpn: 'alpn',
  fp: 'fingerprint',
  pbk: 'pbk',
  sid: 'sid',
  spx: 'spx',
  allowInsecure: 'allow_insecure',
};

/**
 * Splits `ss_node.server` into the address clients connect to and any settings it carries:
 * - the seed origin's form, a query string (`add=hk.example.com&port=443&net=ws&path=/ws&tls=tls`,
 *   read like PHP's parse_str);
 * - the legacy SSPanel form `host;port;alterId;net;tls;path=/x|host=y` (address and port);
 * - a plain host, IPv4 or IPv6 address (brackets allowed).
 */
export function parseServer(server: string): ParsedServer {
  const text = server.trim();
  if (/^[\w-]+=/.test(text) && text.includes('=')) return parseSeedQuery(text);
  if (text.includes(';')) {
    const [address, port] = text.split(';');
    const settings: Record<string, string> = {};
    if (/^\d+$/.test(port ?? '')) settings.offset_port_user = port;
    return { address: stripBrackets(address.trim()), settings };
  }
  return { address: stripBrackets(text), settings: {} };
}

function parseSeedQuery(text: string): ParsedServer {
  const query = new URLSearchParams(text);
  const settings: Record<string, string> = {};
  for (const [key, value] of query) {
    const mapped = SEED_KEYS[key];
    if (mapped && value !== '') settings[mapped] = value;
  }
  return { address: stripBrackets(query.get('add') ?? ''), settings };
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;

/** A host name, an IPv4 or an IPv6 address (without brackets). */
export function isValidAddress(address: string): boolean {
  return isIP(address) !== 0 || HOSTNAME.test(address);
}

/** `host` as it goes before `:port` in a URI or `host:port` string: IPv6 in brackets. */
export function hostForUri(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}
