import { HttpStatus } from '@nestjs/common';
import { DomainException } from '../../common/errors/domain.exception.js';

export enum NodeErrorCode {
  NODE_NOT_FOUND = 'NODE_NOT_FOUND',
  NODE_DISABLED = 'NODE_DISABLED',
  NODE_OVER_BANDWIDTH = 'NODE_OVER_BANDWIDTH',
  DETECT_RULE_NOT_FOUND = 'DETECT_RULE_NOT_FOUND',
  NOTHING_TO_UPDATE = 'NOTHING_TO_UPDATE',
}

const STATUS: Record<NodeErrorCode, HttpStatus> = {
  NODE_NOT_FOUND: HttpStatus.NOT_FOUND,
  NODE_DISABLED: HttpStatus.FORBIDDEN,
  NODE_OVER_BANDWIDTH: HttpStatus.CONFLICT,
  DETECT_RULE_NOT_FOUND: HttpStatus.NOT_FOUND,
  NOTHING_TO_UPDATE: HttpStatus.BAD_REQUEST,
};

/**
 * Business refusals of the node domain, for the operator and for the agents. The seed and admin
 * routes answer them with their HTTP status; the SSPanel routes answer `{"ret":0,"msg"}` with
 * HTTP 200 (node-api's SspanelExceptionFilter), as agents expect.
 */
export class NodeException extends DomainException {
  constructor(code: NodeErrorCode, message: string) {
    super(code, message, STATUS[code]);
  }
}

export const nodeNotFound = (nodeId: number): NodeException =>
  new NodeException(NodeErrorCode.NODE_NOT_FOUND, `Node ${nodeId} not found`);
