import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SubscriptionCacheService } from './subscription-cache.service.js';
import type { Subscriber } from './subscription-content.js';
import { SubscriptionRepository } from './subscription.repository.js';
import {
  SubscriptionErrorCode,
  SubscriptionException,
} from './subscription.exception.js';

/** 18 random bytes → 24 URL-safe base64 characters (144 bits; never derived from the user). */
export function newSubscriptionToken(): string {
  return randomBytes(18).toString('base64url');
}

/** Subscription tokens: issued lazily, reset on demand, resolved to their user on each fetch. */
@Injectable()
export class SubscriptionTokenService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: SubscriptionRepository,
    private readonly cache: SubscriptionCacheService,
  ) {}

  /**
   * The user's token, created on first use. Race-safe without a unique key (adopted `link`
   * tables may hold several rows per user): the creation runs under the user's row lock and
   * re-reads first, so concurrent first calls return the same single token.
   */
  async tokenOf(userId: number): Promise<string> {
    const existing = await this.repository.findToken(userId);
    if (existing) return existing;
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.repository.lockUser(manager, userId)))
        throw this.userNotFound(userId);
      const again = await this.repository.findToken(userId, manager);
      if (again) return again;
      const token = newSubscriptionToken();
      await this.repository.insertToken(manager, userId, token);
      return token;
    });
  }

  /**
   * Replaces the user's token. The old one stops resolving at once on every replica: fetches
   * check the token against the database, and its cached lookup is dropped from the shared
   * store as well.
   */
  async reset(userId: number): Promise<string> {
    const { previous, token } = await this.dataSource.transaction(
      async (manager) => {
        if (!(await this.repository.lockUser(manager, userId)))
          throw this.userNotFound(userId);
        const old = await this.repository.findToken(userId, manager);
        const fresh = newSubscriptionToken();
        if ((await this.repository.replaceToken(manager, userId, fresh)) === 0)
          await this.repository.insertToken(manager, userId, fresh);
        return { previous: old, token: fresh };
      },
    );
    if (previous) await this.cache.forgetToken(previous, userId);
    await this.cache.invalidateUser(userId);
    return token;
  }

  /** The subscriber whose current token this is, or null (unknown or reset token). */
  async resolve(token: string): Promise<Subscriber | null> {
    const cachedOwner = await this.cache.tokenOwner(token);
    if (cachedOwner !== undefined) {
      const subscriber = await this.repository.findSubscriber(
        cachedOwner,
        token,
      );
      if (subscriber) return subscriber;
      await this.cache.forgetToken(token, cachedOwner);
    }
    const owner = await this.repository.findUserIdByToken(token);
    if (owner === null) return null;
    const subscriber = await this.repository.findSubscriber(owner, token);
    if (subscriber) await this.cache.rememberToken(token, owner);
    return subscriber;
  }

  private userNotFound(userId: number): SubscriptionException {
    return new SubscriptionException(
      SubscriptionErrorCode.SUBSCRIPTION_USER_NOT_FOUND,
      `User ${userId} not found`,
    );
  }
}
