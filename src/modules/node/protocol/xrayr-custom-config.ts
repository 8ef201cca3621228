import { normalizeCustomConfig } from '../custom-config.js';
import type {
  NodeProblems,
  NodeProtocol,
  NodeSource,
  Security,
  Transport,
} from './node-protocol.js';
import { readNodeProtocol } from './node-protocol.reader.js';

/**
 * The keys XrayR's SSPanel client reads from `custom_config` (api/sspanel/model.go, CustomConfig;
 * all strings except the two bools), as the node protocol model resolved them: what the agent
 * listens for is then exactly what subscriptions tell clients, whichever spelling (seed query
 * string, numbers for strings, `net` for `network`) the row was stored in. Keys the model does
 * not own (header, reality-opts, other agents' keys) are left to the stored config.
 */
export function xrayrCustomConfig(node: NodeProtocol): Record<string, unknown> {
  const ports = {
    offset_port_node: String(node.listenPort),
    ...(node.port > 0 && { offset_port_user: String(node.port) }),
  };
  switch (node.protocol) {
    case 'shadowsocks':
      return node.portPerUser ? {} : ports;
    case 'shadowsocks2022':
      return {
        ...ports,
        method: node.method,
        ...(node.serverKey && { server_key: node.serverKey }),
      };
    case 'vmess':
    case 'vless':
      return {
        ...ports,
        ...transportKeys(node.transport),
        ...securityKeys(node.security),
        enable_vless: node.protocol === 'vless' ? '1' : '0',
        alter_id: '0',
        ...(node.protocol === 'vless' && node.flow && { flow: node.flow }),
      };
    case 'trojan':
      return {
        ...ports,
        ...transportKeys(node.transport),
        ...securityKeys(node.security),
        grpc: node.transport.network === 'grpc' ? '1' : '0',
      };
    case 'hysteria2':
    case 'hysteria':
    case 'tuic':
    case 'anytls':
      return {
        ...ports,
        ...securityKeys(node.tls),
      };
  }
}

function transportKeys(t: Transport): Record<string, string> {
  return {
    network: t.network,
    ...(t.path !== undefined && { path: t.path }),
    ...(t.host !== undefined && { host: t.host }),
    ...(t.serviceName !== undefined && { servicename: t.serviceName }),
  };
}

function securityKeys(s: Security): Record<string, unknown> {
  if (s.type === 'none') return { security: 'none' };
  if (s.type === 'reality')
    return { security: 'reality', enable_reality: true };
  return {
    security: 'tls',
    allow_insecure: s.allowInsecure ? '1' : '0',
  };
}

/**
 * `custom_config` as agents get it: the stored keys with XrayR's types, overlaid with the keys
 * the node protocol model resolved. A row the model cannot read (an adopted node with a
 * protocol we do not model) keeps its stored keys as they are, and the problems are returned
 * for the caller to log: the agent still gets what it got before.
 */
export function agentCustomConfig(source: NodeSource): {
  config: Record<string, unknown>;
  problems: NodeProblems | null;
} {
  const stored = normalizeCustomConfig(
    typeof source.customConfig === 'string' || source.customConfig === null
      ? source.customConfig
      : JSON.stringify(source.customConfig),
  );
  const reading = readNodeProtocol(source);
  if (!reading.ok) return { config: stored, problems: reading.problems };
  return {
    config: { ...stored, ...xrayrCustomConfig(reading.node) },
    problems: null,
  };
}
