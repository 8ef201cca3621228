import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  USERS_ENTITLEMENTS_CHANGED,
  UsersEntitlementsChangedEvent,
} from '../../common/events/domain-events.js';
import { formatCents, toCents } from '../../common/money.js';
import { User } from '../../database/entities/index.js';
import { PasswordService } from '../auth/password.service.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { UserErrorCode, UserException } from './user.exception.js';
import { UserRepository, UserSearch } from './user.repository.js';
import {
  AdminBalanceAdjustDto,
  AdminUserDto,
  AdminUserUpdateDto,
} from './dto/admin-user.dto.js';

export interface BalanceAdjusted {
  user_id: number;
  amount: number;
  new_balance: number;
}

/** Operator actions on users; balance changes go through the ledger like every other. */
@Injectable()
export class AdminUserService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly ledger: LedgerService,
    private readonly events: EventEmitter2,
    private readonly passwords: PasswordService,
  ) {}

  async search(
    s: UserSearch,
  ): Promise<{ users: AdminUserDto[]; count: number }> {
    const { rows, count } = await this.users.search(s);
    return { users: rows.map((u) => AdminUserDto.from(u)), count };
  }

  async get(id: number): Promise<AdminUserDto> {
    return AdminUserDto.from(await this.mustFind(id));
  }

  /**
   * Changes level, group, quota, limits, the enable flag or the password (a reset: the user's
   * earlier tokens stop working, as after their own change; disabling does the same).
   */
  async update(id: number, dto: AdminUserUpdateDto): Promise<AdminUserDto> {
    const values: Partial<User> = {
      ...(dto.password !== undefined && {
        pass: await this.passwords.hash(dto.password),
      }),
      ...(dto.enable !== undefined && { enable: dto.enable }),
      ...(dto.class !== undefined && { classLevel: dto.class }),
      ...(dto.class_expire !== undefined && {
        classExpire: new Date(dto.class_expire),
      }),
      ...(dto.expire_in !== undefined && { expireIn: new Date(dto.expire_in) }),
      ...(dto.node_group !== undefined && { nodeGroup: dto.node_group }),
      ...(dto.transfer_enable !== undefined && {
        transferEnable: dto.transfer_enable,
      }),
      ...(dto.node_speedlimit !== undefined && {
        nodeSpeedlimit: dto.node_speedlimit,
      }),
      ...(dto.node_connector !== undefined && {
        nodeConnector: dto.node_connector,
      }),
    };
    if (Object.keys(values).length === 0) {
      throw new UserException(
        UserErrorCode.NOTHING_TO_UPDATE,
        'Give at least one field to change',
      );
    }
    if (!(await this.users.update(id, values))) throw this.notFound(id);
    // Enable, level, group, quota and limits all change which nodes serve the user, and how.
    await this.entitlementsChanged(id);
    return this.get(id);
  }

  async resetTraffic(id: number): Promise<AdminUserDto> {
    if (!(await this.users.resetTraffic(id))) throw this.notFound(id);
    await this.entitlementsChanged(id); // an over-quota user becomes servable again
    return this.get(id);
  }

  /** Credits or debits a balance with a reason; a debit never takes the balance below zero. */
  async adjustBalance(
    id: number,
    dto: AdminBalanceAdjustDto,
    adminId: number,
  ): Promise<BalanceAdjusted> {
    const amountCents = toCents(dto.amount);
    if (amountCents === 0)
      throw new UserException(
        UserErrorCode.ZERO_AMOUNT,
        'amount must not be zero',
      );
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.users.findById(id, manager))) throw this.notFound(id);
      const applied = await this.ledger.applyBalanceChange(manager, {
        userId: id,
        amountCents,
        reason: 'admin',
        refType: 'admin',
        refId: adminId,
        note: dto.reason,
        requireFunds: true,
      });
      if (!applied) {
        throw new UserException(
          UserErrorCode.BALANCE_WOULD_GO_NEGATIVE,
          `A debit of ${formatCents(-amountCents)} would take the balance below zero`,
        );
      }
      return {
        user_id: id,
        amount: Number(formatCents(amountCents)),
        new_balance: Number(
          formatCents(await this.ledger.balanceCents(manager, id)),
        ),
      };
    });
  }

  private async mustFind(id: number): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw this.notFound(id);
    return user;
  }

  /** Announced after the change is written, and awaited: the answer reflects dropped caches. */
  private async entitlementsChanged(userId: number): Promise<void> {
    await this.events.emitAsync(
      USERS_ENTITLEMENTS_CHANGED,
      new UsersEntitlementsChangedEvent([userId]),
    );
  }

  private notFound(id: number): UserException {
    return new UserException(
      UserErrorCode.USER_NOT_FOUND,
      `User ${id} not found`,
    );
  }
}
