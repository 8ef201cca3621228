import type { NodeProtocol } from '../protocol/index.js';

/** The `user` columns that decide which nodes a user may use (beyond their account state). */
export interface NodeAccessUser {
  /** `user.class`. */
  classLevel: number;
  /** `user.node_group`. */
  nodeGroup: number;
}

/**
 * The node half of the servable rule node agents apply (node-api `servableUsersQuery`): node
 * group 0 serves every group, any other group only its own; the user's class must reach the
 * node's. The account half (enabled, not expired, level not expired, under quota) is the
 * caller's, so a subscription can say which one failed.
 */
export function userMayUseNode(
  user: NodeAccessUser,
  node: Pick<NodeProtocol, 'nodeClass' | 'nodeGroup'>,
): boolean {
  return (
    (node.nodeGroup === 0 || node.nodeGroup === user.nodeGroup) &&
    user.classLevel >= node.nodeClass
  );
}
