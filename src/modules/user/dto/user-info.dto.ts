import { toIsoString } from '../../../common/time.js';
import { User } from '../../../database/entities/index.js';

/** The signed-in user's own account; built field by field so `pass` can never leak. */
export class UserInfoDto {
  id: number;
  email: string;
  user_name: string;
  money: number;
  class: number;
  class_expire: string;
  expire_in: string;
  u: number;
  d: number;
  transfer_enable: number;
  node_group: number;
  node_speedlimit: number;
  node_connector: number;
  invite_code: string | null;
  enable: number;
  is_admin: boolean;
  warming: string | null;
  reg_date: string;

  static from(user: User): UserInfoDto {
    const dto = new UserInfoDto();
    Object.assign(dto, {
      id: user.id,
      email: user.email,
      user_name: user.userName,
      money: Number(user.money),
      class: user.classLevel,
      class_expire: toIsoString(user.classExpire),
      expire_in: toIsoString(user.expireIn),
      u: user.u,
      d: user.d,
      transfer_enable: user.transferEnable,
      node_group: user.nodeGroup,
      node_speedlimit: user.nodeSpeedlimit,
      node_connector: user.nodeConnector,
      invite_code: user.inviteCode ?? null,
      enable: user.enable,
      is_admin: Boolean(user.isAdmin),
      warming: user.warming ?? null,
      reg_date: toIsoString(user.regDate),
    });
    return dto;
  }
}
