import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength } from 'class-validator';
import { FitsBcrypt } from './password-bytes.validator.js';

export class LoginDto {
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toLowerCase() : value,
  )
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
