import { Injectable } from '@nestjs/common';
import {
  type NodeProtocol,
  readNodeProtocol,
} from '../../node/protocol/index.js';
import { NodeRepository } from '../../node/node.repository.js';
import { UniProxyErrorCode, UniProxyException } from './uniproxy.exception.js';
import type { UniProxyCaller } from './uniproxy-request.js';
import { nodeTypeFor, typeServes } from './uniproxy-node-type.js';

/** The calling node, checked against the type its agent runs. */
export interface UniProxyNode {
  id: number;
  /** The node protocol model, or the field problems of a node whose settings are broken. */
  reading: ReturnType<typeof readNodeProtocol>;
}

/**
 * Resolves `node_id` + `node_type` to the node, on every UniProxy request. V2Board looks the
 * node up in the table of that type, so a type that does not match the node is "server is not
 * exist"; here it is a 400 that says so.
 */
@Injectable()
export class UniProxyNodeService {
  constructor(private readonly nodes: NodeRepository) {}

  async resolve(caller: UniProxyCaller): Promise<UniProxyNode> {
    const row = await this.nodes.findConfig(caller.nodeId);
    if (!row)
      throw new UniProxyException(
        UniProxyErrorCode.NODE_NOT_FOUND,
        `Server ${caller.nodeId} does not exist`,
      );
    const reading = readNodeProtocol(row);
    // A node whose settings do not read still reports traffic and gets its users (what its
    // agent served must be billed); only its config is refused.
    if (reading.ok && !typeServes(caller.nodeType, reading.node.protocol)) {
      const wanted = nodeTypeFor(reading.node.protocol);
      throw new UniProxyException(
        UniProxyErrorCode.NODE_TYPE_MISMATCH,
        `Server ${caller.nodeId} is ${reading.node.protocol}, not ${caller.nodeType}${
          wanted ? `: run the agent with node type ${wanted}` : ''
        }`,
      );
    }
    return { id: row.id, reading };
  }

  /** The model of a node whose config is about to be served (409 when it cannot be read). */
  protocolOf(node: UniProxyNode): NodeProtocol {
    if (!node.reading.ok)
      throw new UniProxyException(
        UniProxyErrorCode.NODE_NOT_SERVABLE,
        `Server ${node.id} settings are invalid: ${Object.entries(
          node.reading.problems,
        )
          .map(([field, problem]) => `${field}: ${problem}`)
          .join('; ')}`,
      );
    return node.reading.node;
  }
}
