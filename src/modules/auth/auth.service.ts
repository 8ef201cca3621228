import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { randomCode } from '../../common/random.js';
import { authConfig } from '../../config/index.js';
import { retrying } from '../../database/retry.js';
import {
  isTransientLockError,
  isUniqueViolation,
} from '../../database/db-errors.js';
import { ReferralService } from '../referral/referral.service.js';
import { UserRepository } from '../user/user.repository.js';
import { AuthErrorCode, AuthException } from './auth.exception.js';
import { RegisteredDto, TokenDto } from './dto/login.dto.js';
import { RegisterDto } from './dto/register.dto.js';
import { AuthTokenService } from './auth-token.service.js';
import { PasswordService } from './password.service.js';

/** Port/invite-code collisions and lock races are retried this many times before giving up. */
const REGISTER_ATTEMPTS = 20;

@Injectable()
export class AuthService {
  constructor(
    @Inject(authConfig.KEY)
    private readonly config: ConfigType<typeof authConfig>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly passwords: PasswordService,
    private readonly tokens: AuthTokenService,
    private readonly referral: ReferralService,
  ) {}

  /** Creates an account with its node credentials (passwd, uuid, port) and invite code. */
  async register(dto: RegisterDto, ip: string): Promise<RegisteredDto> {
    if (this.config.registerMode === 'closed') {
      throw new AuthException(
        AuthErrorCode.REGISTRATION_CLOSED,
        'Registration is closed',
      );
    }
    if (this.config.registerMode === 'invite' && !dto.invite_code) {
      throw new AuthException(
        AuthErrorCode.INVITE_CODE_REQUIRED,
        'An invite code is required to register',
      );
    }
    const pass = await this.passwords.hash(dto.password);
    return retrying(
      {
        attempts: REGISTER_ATTEMPTS,
        retryOn: async (err) => {
          const conflict = isUniqueViolation(err);
          if (!conflict && !isTransientLockError(err)) return false;
          // Lost a race: either the email (→ 409) or a generated port/code (→ try again).
          if (conflict && (await this.users.emailExists(dto.email)))
            throw this.emailTaken();
          return true;
        },
        backoffMs: () => 5 + Math.random() * 20,
      },
      () =>
        this.dataSource.transaction((manager) =>
          this.insertAccount(manager, dto, pass, ip),
        ),
    );
  }

  private async insertAccount(
    manager: EntityManager,
    dto: RegisterDto,
    pass: string,
    ip: string,
  ): Promise<RegisteredDto> {
    if (await this.users.emailExists(dto.email, manager))
      throw this.emailTaken();
    let refBy = 0;
    if (dto.invite_code) {
      const inviter = await this.users.findIdByInviteCode(
        dto.invite_code,
        manager,
      );
      if (!inviter)
        throw new AuthException(
          AuthErrorCode.INVITE_CODE_INVALID,
          'Invite code is not valid',
        );
      refBy = inviter.id;
    }
    const port = await this.users.nextPort(this.config.ssPorts, manager);
    if (port === null)
      throw new AuthException(
        AuthErrorCode.PORT_RANGE_FULL,
        `Every Shadowsocks port in ${this.config.ssPorts.min}-${this.config.ssPorts.max} is taken: the operator must widen SS_PORT_MIN/SS_PORT_MAX`,
      );
    const inviteCode = randomCode(12);
    const id = await this.users.insert(
      {
        email: dto.email,
        pass,
        passwd: randomCode(16),
        uuid: randomUUID(),
        port,
        userName: dto.email.split('@')[0].slice(0, 128),
        inviteCode,
        refBy,
        regIp: ip.slice(0, 128),
      },
      new Date(),
      manager,
    );
    // The inviter's registration reward commits or rolls back with the account itself.
    if (refBy > 0)
      await this.referral.rewardInviter(manager, {
        inviteeId: id,
        inviterId: refBy,
      });
    return { id, email: dto.email, invite_code: inviteCode };
  }

  /**
   * Same answer whether the email is unknown or the password wrong. A suspended account
   * (`enable = 0`) signs in too: it sees why (`warming`), tops up and buys; nodes do not serve it.
   */
  async login(email: string, password: string): Promise<TokenDto> {
    const user = await this.users.findLoginByEmail(email);
    const valid = await this.passwords.verify(password, user?.pass);
    if (!user || !valid) {
      throw new AuthException(
        AuthErrorCode.INVALID_CREDENTIALS,
        'Email or password is incorrect',
      );
    }
    return this.tokens.issue(user);
  }

  /**
   * Changes the signed-in user's password after checking the current one; every token issued
   * before (on any device) stops working, and the answer is a fresh one.
   */
  async changePassword(
    userId: number,
    current: string,
    next: string,
  ): Promise<TokenDto> {
    const user = await this.users.findLoginById(userId);
    if (!user)
      throw new AuthException(
        AuthErrorCode.INVALID_CREDENTIALS,
        'Unknown user',
      );
    if (!(await this.passwords.verify(current, user.pass)))
      throw new AuthException(
        AuthErrorCode.CURRENT_PASSWORD_INCORRECT,
        'current_password is incorrect',
      );
    const pass = await this.passwords.hash(next);
    if (!(await this.users.replacePassword(user.id, user.pass, pass)))
      throw new AuthException(
        AuthErrorCode.PASSWORD_CHANGED_CONCURRENTLY,
        'The password was changed meanwhile; sign in again',
      );
    return this.tokens.issue({ id: user.id, pass, enable: user.enable });
  }

  private emailTaken(): AuthException {
    return new AuthException(
      AuthErrorCode.EMAIL_TAKEN,
      'This email is already registered',
    );
  }
}
