import { IsString, MaxLength, MinLength } from 'class-validator';
import { FitsBcrypt } from './password-bytes.validator.js';

export class ChangePasswordDto {
  @IsString()
  @MaxLength(128)
  @FitsBcrypt()
  current_password: string;

  /** The same rules as at registration. */
  @IsString()
  @MinLength(8, { message: 'new_password must be at least 8 characters' })
  @MaxLength(128)
  @FitsBcrypt({
    message: 'new_password must be at most 72 bytes (UTF-8)',
  })
  new_password: string;
}
