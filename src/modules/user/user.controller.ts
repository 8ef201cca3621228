import { Controller, Get } from '@nestjs/common';
import { CurrentUser } from '../../common/decorators/current-user.decorator.js';
import type { AuthUser } from '../../common/decorators/current-user.decorator.js';
import { UserInfoDto } from './dto/user-info.dto.js';
import { UserService } from './user.service.js';

@Controller('user')
export class UserController {
  constructor(private readonly userService: UserService) {}

  @Get('info')
  info(@CurrentUser() user: AuthUser): Promise<UserInfoDto> {
    return this.userService.getInfo(user.id);
  }
}
