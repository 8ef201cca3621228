import { Injectable, PipeTransform } from '@nestjs/common';
import { createValidationPipe } from '../../../common/http/validation.pipe.js';
import {
  SspanelTrafficDto,
  trafficEntriesProblem,
} from './traffic-report.dto.js';

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
  private readonly validation = createValidationPipe();

  async transform(value: unknown): Promise<SspanelTrafficBody> {
    if (isWellFormedReport(value))
      return Object.assign(new SspanelTrafficDto(), { data: value.data });
    return (await this.validation.transform(value, {
      type: 'body',
      metatype: SspanelTrafficDto,
    })) as SspanelTrafficDto;
  }
}

function isWellFormedReport(value: unknown): value is SspanelTrafficBody {
  if (typeof value !== 'object' || value === null) return false;
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  const keys = Object.keys(value);
  return (
    keys.length === 1 &&
    keys[0] === 'data' &&
    trafficEntriesProblem((value as { data: unknown }).data) === null
  );
}
