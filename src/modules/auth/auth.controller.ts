import {
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Ip,
  Post,
} from '@nestjs/common';
import { Public } from '../../common/decorators/public.decorator.js';
import { RateLimit } from '../throttle/rate-limit.decorator.js';
import { AuthService } from './auth.service.js';
import { LoginDto, RegisteredDto, TokenDto } from './dto/login.dto.js';
import { RegisterDto } from './dto/register.dto.js';

@Public()
@Controller('auth')
export class AuthController {
  constructor(private readonly authService: AuthService) {}

  @Post('register')
  @RateLimit('auth', 'registration-email')
  @HttpCode(HttpStatus.CREATED)
  register(@Body() dto: RegisterDto, @Ip() ip: string): Promise<RegisteredDto> {
    return this.authService.register(dto, ip ?? '');
  }

  @Post('login')
  @RateLimit('auth')
  @HttpCode(HttpStatus.OK)
  login(@Body() dto: LoginDto): Promise<TokenDto> {
    return this.authService.login(dto.email, dto.password);
  }
}
