import { toIsoString } from '../../../common/time.js';
import { Type } from 'class-transformer';
import {
  IsDateString,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { User } from '../../../database/entities/index.js';
import { FitsBcrypt } from '../../auth/dto/password-bytes.validator.js';
import { PaginationQueryDto } from '../../../common/dto/pagination-query.dto.js';

export const USER_SORTS = [
  'id',
  '-id',
  'email',
  '-email',
  'money',
  '-money',
  'reg_date',
  '-reg_date',
  't',
  '-t',
] as const;
export type UserSort = (typeof USER_SORTS)[number];

export class AdminUserQueryDto extends PaginationQueryDto {
  /** Part of the email. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  q?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  id?: number;

  @IsOptional()
  @IsIn(['enabled', 'disabled'])
  status?: 'enabled' | 'disabled';

  @IsOptional()
  @IsIn(USER_SORTS, { message: `sort must be one of ${USER_SORTS.join(', ')}` })
  sort: UserSort = '-id';
}

/** What an operator may change on a user; every field optional, at least one required. */
export class AdminUserUpdateDto {
  @IsOptional()
  @IsIn([0, 1])
  enable?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  class?: number;

  @IsOptional()
  @IsDateString()
  class_expire?: string;

  @IsOptional()
  @IsDateString()
  expire_in?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  node_group?: number;

  /** Quota in bytes. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  transfer_enable?: number;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100_000)
  node_speedlimit?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  node_connector?: number;

  /** A password reset: the user's existing tokens stop working. */
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'password must be at least 8 characters' })
  @MaxLength(128)
  @FitsBcrypt()
  password?: string;
}

export class AdminBalanceAdjustDto {
  /** Signed amount with at most two decimals, e.g. "12.50" or "-3". */
  @IsString()
  @Matches(/^-?\d{1,10}(\.\d{1,2})?$/, {
    message: 'amount must be a signed decimal with at most 2 places',
  })
  amount: string;

  @IsString()
  @MinLength(3)
  @MaxLength(255)
  reason: string;
}

/** The operator's view of a user: everything but the password hash. */
export class AdminUserDto {
  id: number;
  email: string;
  user_name: string;
  is_admin: boolean;
  enable: number;
  switch: number;
  money: number;
  class: number;
  class_expire: string;
  expire_in: string;
  node_group: number;
  u: number;
  d: number;
  transfer_enable: number;
  node_speedlimit: number;
  node_connector: number;
  port: number;
  ref_by: number;
  invite_code: string | null;
  score: number;
  ban_times: number;
  t: number;
  reg_date: string;
  reg_ip: string | null;
  warming: string | null;

  static from(u: User): AdminUserDto {
    return Object.assign(new AdminUserDto(), {
      id: u.id,
      email: u.email,
      user_name: u.userName,
      is_admin: Boolean(u.isAdmin),
      enable: u.enable,
      switch: u.switch,
      money: Number(u.money),
      class: u.classLevel,
      class_expire: toIsoString(u.classExpire),
      expire_in: toIsoString(u.expireIn),
      node_group: u.nodeGroup,
      u: u.u,
      d: u.d,
      transfer_enable: u.transferEnable,
      node_speedlimit: u.nodeSpeedlimit,
      node_connector: u.nodeConnector,
      port: u.port,
      ref_by: u.refBy,
      invite_code: u.inviteCode ?? null,
      score: u.score,
      ban_times: u.banTimes,
      t: u.t,
      reg_date: toIsoString(u.regDate),
      reg_ip: u.regIp ?? null,
      warming: u.warming ?? null,
    });
  }
}
