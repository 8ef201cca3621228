import {
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
  Validate,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { PartialType } from '@nestjs/swagger';
import type { DetectList } from '../../../database/entities/index.js';

@ValidatorConstraint({ name: 'isRegex' })
class IsRegexConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    try {
      new RegExp(value);
      return true;
    } catch {
      return false;
    }
  }

  defaultMessage(): string {
    return 'regex must be a valid regular expression';
  }
}

/** `detect_list.type`: 1 = match the plain packet text, 2 = match its hex (SSPanel). */
export const DETECT_TYPES = [1, 2] as const;

export class AdminDetectRuleCreateDto {
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  name: string;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  text?: string;

  /** Agents compile it (Go RE2 in XrayR); checked here as a JavaScript RegExp. */
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  @Validate(IsRegexConstraint)
  regex: string;

  @IsIn(DETECT_TYPES)
  type: number;
}

export class AdminDetectRuleUpdateDto extends PartialType(
  AdminDetectRuleCreateDto,
) {}

export class AdminDetectRuleDto {
  id: number;
  name: string;
  text: string;
  regex: string;
  type: number;

  static from(r: DetectList): AdminDetectRuleDto {
    return {
      id: r.id,
      name: r.name,
      text: r.text,
      regex: r.regex,
      type: r.type,
    };
  }
}
