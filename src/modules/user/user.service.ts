import { Injectable } from '@nestjs/common';
import { notFound } from '../../common/errors/common.exception.js';
import { UserInfoDto } from './dto/user-info.dto.js';
import { UserRepository } from './user.repository.js';

@Injectable()
export class UserService {
  constructor(private readonly users: UserRepository) {}

  /** The account view of `GET /user/info`. */
  async getInfo(userId: number): Promise<UserInfoDto> {
    const user = await this.users.findById(userId);
    if (!user) throw notFound('User');
    return UserInfoDto.from(user);
  }
}
