import { Transform } from 'class-transformer';
import {
  IsEmail,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { normaliseEmail } from './email.transform.js';
import { FitsBcrypt } from './password-bytes.validator.js';

export class RegisterDto {
  @Transform(normaliseEmail)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(64)
  email: string;

  @IsString()
  @MinLength(8, { message: 'password must be at least 8 characters' })
  @MaxLength(128)
  @FitsBcrypt()
  password: string;

  @IsOptional()
  @IsString()
  @Length(4, 32)
  @Matches(/^[A-Za-z0-9]+$/, {
    message: 'invite_code must be letters and digits',
  })
  invite_code?: string;
}
