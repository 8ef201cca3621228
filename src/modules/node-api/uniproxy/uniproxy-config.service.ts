import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { nodeConfig } from '../../../config/index.js';
import { etagged, V2BOARD_ETAG } from '../etag.js';
import { lazyGzip } from '../gzip.js';
import { NodeStateService } from '../../node/node-state.service.js';
import { buildUniProxyConfig } from './uniproxy-config.builder.js';
import { UniProxyErrorCode, UniProxyException } from './uniproxy.exception.js';
import { UniProxyNodeService } from './uniproxy-node.service.js';
import { JSON_TYPE, type UniProxyReply } from './uniproxy-reply.js';
import type { UniProxyCaller } from './uniproxy-request.js';

/** UniProxy `config`: the node's settings for its agent, from the node protocol model. */
@Injectable()
export class UniProxyConfigService {
  constructor(
    private readonly nodes: UniProxyNodeService,
    private readonly state: NodeStateService,
    @Inject(nodeConfig.KEY)
    private readonly settings: ConfigType<typeof nodeConfig>,
  ) {}

  /**
   * The config with V2Board's ETag (one row read and a small body: built per request). A pull
   * is a heartbeat, recorded before the 304 too.
   */
  async config(
    caller: UniProxyCaller,
    ifNoneMatch: string | undefined,
  ): Promise<UniProxyReply> {
    const node = await this.nodes.resolve(caller);
    await this.state.recordHeartbeat(node.id);
    const built = buildUniProxyConfig(this.nodes.protocolOf(node), {
      pushIntervalS: this.settings.uniproxyPushIntervalS,
      pullIntervalS: this.settings.uniproxyPullIntervalS,
    });
    if (!built.ok)
      throw new UniProxyException(
        UniProxyErrorCode.NODE_NOT_SERVABLE,
        built.reason,
      );
    const reply = etagged(built.config, ifNoneMatch, V2BOARD_ETAG);
    // A config is built per request and rarely reaches GZIP_MIN_BYTES (only with many routes).
    return {
      ...reply,
      ...(reply.body ? { gzip: lazyGzip(reply.body) } : {}),
      contentType: JSON_TYPE,
    };
  }
}
