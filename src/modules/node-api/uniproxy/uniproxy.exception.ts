import { HttpStatus } from '@nestjs/common';
import { DomainException } from '../../../common/errors/domain.exception.js';

export enum UniProxyErrorCode {
  /** node_id or node_type missing or malformed. */
  QUERY_INVALID = 'UNIPROXY_QUERY_INVALID',
  /** No node with that id. */
  NODE_NOT_FOUND = 'UNIPROXY_NODE_NOT_FOUND',
  /** node_type names another protocol than the node serves. */
  NODE_TYPE_MISMATCH = 'UNIPROXY_NODE_TYPE_MISMATCH',
  /** The node's settings cannot be read, or cannot be expressed for UniProxy agents. */
  NODE_NOT_SERVABLE = 'UNIPROXY_NODE_NOT_SERVABLE',
  /** A push/alive/status body that is not the JSON object the route takes. */
  BODY_INVALID = 'UNIPROXY_BODY_INVALID',
}

const STATUS: Record<UniProxyErrorCode, HttpStatus> = {
  UNIPROXY_QUERY_INVALID: HttpStatus.BAD_REQUEST,
  UNIPROXY_NODE_NOT_FOUND: HttpStatus.NOT_FOUND,
  UNIPROXY_NODE_TYPE_MISMATCH: HttpStatus.BAD_REQUEST,
  UNIPROXY_NODE_NOT_SERVABLE: HttpStatus.CONFLICT,
  UNIPROXY_BODY_INVALID: HttpStatus.BAD_REQUEST,
};

/**
 * Refusals of the UniProxy dialect. Always a 4xx with `{"message": …}` (UniProxyExceptionFilter):
 * both agents treat a status ≥ 400 as a failed call and log the body, whereas a 200 with an
 * error body would be decoded as a config (XrayR: "server port must > 0"; V2bX: nil-pointer
 * panic on the missing base_config).
 */
export class UniProxyException extends DomainException {
  constructor(code: UniProxyErrorCode, message: string) {
    super(code, message, STATUS[code]);
  }
}
