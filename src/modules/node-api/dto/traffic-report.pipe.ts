import { Injectable, PipeTransform } from '@nestjs/common';
import type { Paramtype, Type } from '@nestjs/common';
import { createValidationPipe } from '../../../common/http/validation.pipe.js';
import { canonicalNodeId, NodeIdQueryDto } from './node-query.dto.js';
import {
  SspanelTrafficDto,
  trafficEntriesProblem,
} from './traffic-report.dto.js';

/** The global pipe's validation of `value` as `metatype` (its exact result or refusal). */
const globalValidation = createValidationPipe();
async function validated<T>(
  value: unknown,
  type: Paramtype,
  metatype: Type<T>,
): Promise<T> {
  return (await globalValidation.transform(value, { type, metatype })) as T;
}

/** The traffic route's body as the handler gets it (a type, so the global pipe leaves it alone). */
export type SspanelTrafficBody = Pick<SspanelTrafficDto, 'data'>;

/**
 * The `POST /mod_mu/users/traffic` body, validated as the global ValidationPipe validates
 * SspanelTrafficDto, without copying a well-formed report. class-transformer rebuilt every
 * entry of the array and the pipe walked it for prototype keys: a fifth of the CPU of a
 * 1,000-entry report (--cpu-prof of bench:node), for entries `trafficEntriesProblem` checks in
 * one loop anyway. A JSON object whose only key is `data` and whose entries pass that check
 * (only `user_id`, `u`, `d`: no prototype keys, nothing nested) is what the global pipe would
 * accept unchanged, and is passed on as it came; anything else goes through the global pipe's
 * own validation, so every refusal keeps its exact message and shape.
 */
@Injectable()
export class SspanelTrafficPipe implements PipeTransform<
  unknown,
  Promise<SspanelTrafficBody>
> {
  async transform(value: unknown): Promise<SspanelTrafficBody> {
    if (isWellFormedReport(value))
      return Object.assign(new SspanelTrafficDto(), { data: value.data });
    return validated(value, 'body', SspanelTrafficDto);
  }
}

/** The report routes' query as the handler gets it (a type: the global pipe leaves it alone). */
export type NodeIdQuery = Pick<NodeIdQueryDto, 'node_id'>;

/**
 * `?node_id=` of the traffic route, as the global pipe validates NodeIdQueryDto: the query XrayR
 * sends (`key`, `muKey`, a plain positive `node_id`; node-fast-path.ts's canonical form) is taken
 * as is, without class-transformer and class-validator (~5% of a 10-entry report's CPU); any
 * other query through the global pipe, so its refusals are unchanged.
 */
@Injectable()
export class NodeIdQueryPipe implements PipeTransform<
  unknown,
  Promise<NodeIdQuery>
> {
  async transform(value: unknown): Promise<NodeIdQuery> {
    const nodeId =
      typeof value === 'object' && value !== null
        ? canonicalNodeId(value as Record<string, unknown>, true)
        : null;
    if (typeof nodeId === 'number')
      return Object.assign(new NodeIdQueryDto(), value, { node_id: nodeId });
    return validated(value, 'query', NodeIdQueryDto);
  }
}

/**
 * A report the global pipe would accept unchanged: a plain JSON object whose only key is `data`,
 * its entries passing `trafficEntriesProblem` (also read by the report fast path).
 */
export function isWellFormedReport(
  value: unknown,
): value is SspanelTrafficBody {
  if (typeof value !== 'object' || value === null) return false;
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  const keys = Object.keys(value);
  return (
    keys.length === 1 &&
    keys[0] === 'data' &&
    trafficEntriesProblem((value as { data: unknown }).data) === null
  );
}
