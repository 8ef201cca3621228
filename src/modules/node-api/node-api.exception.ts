import { HttpStatus } from '@nestjs/common';
import { DomainException } from '../../common/errors/domain.exception.js';

export enum NodeApiErrorCode {
  NODE_NOT_FOUND = 'NODE_NOT_FOUND',
  NODE_DISABLED = 'NODE_DISABLED',
  NODE_OVER_BANDWIDTH = 'NODE_OVER_BANDWIDTH',
}

const STATUS: Record<NodeApiErrorCode, HttpStatus> = {
  NODE_NOT_FOUND: HttpStatus.NOT_FOUND,
  NODE_DISABLED: HttpStatus.FORBIDDEN,
  NODE_OVER_BANDWIDTH: HttpStatus.CONFLICT,
};

/**
 * Business refusals of the node API. The seed routes answer them with their HTTP status; the
 * SSPanel routes answer `{"ret":0,"msg"}` with HTTP 200 (SspanelExceptionFilter), as agents expect.
 */
export class NodeApiException extends DomainException {
  constructor(code: NodeApiErrorCode, message: string) {
    super(code, message, STATUS[code]);
  }
}

export const nodeNotFound = (nodeId: number): NodeApiException =>
  new NodeApiException(
    NodeApiErrorCode.NODE_NOT_FOUND,
    `Node ${nodeId} not found`,
  );
