import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength } from 'class-validator';
import { normaliseEmail } from './email.transform.js';
import { FitsBcrypt } from './password-bytes.validator.js';

export class LoginDto {
  @Transform(normaliseEmail)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(64)
  email: string;

  @IsString()
  @MaxLength(128)
  @FitsBcrypt()
  password: string;
}

export class TokenDto {
  token: string;
  /** Seconds until the token expires. */
  expires_in: number;
}

export class RegisteredDto {
  id: number;
  email: string;
  invite_code: string;
}
