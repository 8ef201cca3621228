import { Injectable } from '@nestjs/common';
import { Packr } from 'msgpackr';
import { V2BOARD_ETAG } from '../etag.js';
import { lazyGzip } from '../gzip.js';
import { NodeUserListService } from '../node-user-list.service.js';
import { UniProxyNodeService } from './uniproxy-node.service.js';
import {
  JSON_TYPE,
  MSGPACK_TYPE,
  type UniProxyReply,
} from './uniproxy-reply.js';
import type { UniProxyCaller } from './uniproxy-request.js';

/**
 * Plain MessagePack maps (no msgpackr record extension): V2bX decodes with vmihailenco/msgpack.
 * Compact map headers (fixmap for the 4-key users) keep the body small.
 */
const packr = new Packr({ useRecords: false, variableMapSize: true });

interface Packed {
  /** The ETag of the JSON list this was packed from. */
  source: string;
  etag: string;
  body: Buffer;
  gzip: () => Promise<Buffer>;
}

/** UniProxy `user`: the shared servable-user list, as JSON or (on request) msgpack. */
@Injectable()
export class UniProxyUserService {
  /** node id → its list packed once per JSON version (this replica). */
  private readonly packed = new Map<number, Packed>();

  constructor(
    private readonly nodes: UniProxyNodeService,
    private readonly lists: NodeUserListService,
  ) {}

  async users(
    caller: UniProxyCaller,
    ifNoneMatch: string | undefined,
    msgpack: boolean,
  ): Promise<UniProxyReply> {
    const node = await this.nodes.resolve(caller);
    if (!msgpack)
      return {
        ...(await this.lists.uniproxyList(node.id, ifNoneMatch)),
        contentType: JSON_TYPE,
      };
    // The msgpack body has its own tag (wyx2685/v2board hashes the packed bytes).
    const json = await this.lists.uniproxyList(node.id, undefined);
    const packed = this.packedOf(node.id, json.etag, json.body!);
    return {
      etag: packed.etag,
      body: V2BOARD_ETAG.matches(ifNoneMatch, packed.etag) ? null : packed.body,
      gzip: packed.gzip,
      contentType: MSGPACK_TYPE,
    };
  }

  /**
   * The JSON list's 304 alone, for the fast path (node-fast-path.ts): the same node resolution
   * (it throws for an unknown node or a type mismatch: the route then answers), then the
   * heartbeat and the cached tag if the agent holds it, else null.
   */
  async notModified(
    caller: UniProxyCaller,
    ifNoneMatch: string,
  ): Promise<string | null> {
    const node = await this.nodes.resolve(caller);
    return this.lists.uniproxyNotModified(node.id, ifNoneMatch);
  }

  private packedOf(nodeId: number, source: string, json: Buffer): Packed {
    const cached = this.packed.get(nodeId);
    if (cached?.source === source) return cached;
    const body = packr.pack(JSON.parse(json.toString('utf8')));
    const packed = {
      source,
      etag: V2BOARD_ETAG.tag(body),
      body,
      gzip: lazyGzip(body),
    };
    this.packed.set(nodeId, packed);
    return packed;
  }
}
