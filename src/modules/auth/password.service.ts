import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import bcrypt from 'bcryptjs';
import { authConfig } from '../../config/index.js';

/** bcrypt hashing; also verifies legacy `$2y$` hashes written by the PHP panel. */
@Injectable()
export class PasswordService {
  /** Compared against when the email is unknown, so both paths cost the same. */
  private readonly decoy: string;

  constructor(
    @Inject(authConfig.KEY)
    private readonly config: ConfigType<typeof authConfig>,
  ) {
    this.decoy = bcrypt.hashSync('decoy-password', config.bcryptRounds);
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.config.bcryptRounds);
  }

  async verify(
    password: string,
    hash: string | null | undefined,
  ): Promise<boolean> {
    const stored = hash?.startsWith('$2y$') ? `$2a$${hash.slice(4)}` : hash;
    if (!stored || !stored.startsWith('$2')) {
      await bcrypt.compare(password, this.decoy);
      return false;
    }
    return bcrypt.compare(password, stored);
  }
}
