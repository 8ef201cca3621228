import { type NodeProtocol, ss2022KeyLength } from './node-protocol.js';

/** The `user` columns a node's credentials come from. */
export interface ProxyUser {
  id: number;
  uuid: string;
  passwd: string;
  port: number;
  method: string;
}

/** What one user enters in a client for one node; the agent derives the same from its list. */
export interface ClientCredentials {
  /** The port to connect to (the user's own port for per-user-port Shadowsocks). */
  port: number;
  /** vmess/vless id, tuic uuid. */
  uuid: string;
  /**
   * shadowsocks: the user's `passwd`; Shadowsocks 2022: `<server key>:<user key>` (or the user
   * key alone when the node has no server key); trojan, hysteria2, tuic: the user's uuid.
   */
  password: string;
  /** Shadowsocks cipher (the user's `method`, or the node's 2022 method). */
  method?: string;
}

/**
 * The V2Board rule, which V2bX and XrayR apply to the uuid they are given: the user key of a
 * Shadowsocks 2022 method is base64 of the first 16 (aes-128) or 32 characters of the uuid.
 */
export function ss2022UserKey(uuid: string, keyLength: 16 | 32): string {
  return Buffer.from(uuid.slice(0, keyLength), 'utf8').toString('base64');
}

export function clientCredentials(
  node: NodeProtocol,
  user: ProxyUser,
): ClientCredentials {
  switch (node.protocol) {
    case 'shadowsocks':
      return {
        port: node.portPerUser ? user.port : node.port,
        uuid: user.uuid,
        password: user.passwd,
        method: user.method,
      };
    case 'shadowsocks2022': {
      const userKey = ss2022UserKey(user.uuid, ss2022KeyLength(node.method));
      return {
        port: node.port,
        uuid: user.uuid,
        password: node.serverKey ? `${node.serverKey}:${userKey}` : userKey,
        method: node.method,
      };
    }
    default:
      return { port: node.port, uuid: user.uuid, password: user.uuid };
  }
}
