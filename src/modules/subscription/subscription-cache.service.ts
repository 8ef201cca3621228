import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { OnEvent } from '@nestjs/event-emitter';
import type { Cache } from 'cache-manager';
import { createHash, randomUUID } from 'node:crypto';
import {
  USERS_ENTITLEMENTS_CHANGED,
  UsersEntitlementsChangedEvent,
} from '../../common/events/domain-events.js';
import { subscriptionConfig } from '../../config/index.js';
import type { RenderedProfile } from './formats/profile.js';

const PREFIX = 'sub:';
const GLOBAL_GENERATION = `${PREFIX}generation`;
const userGeneration = (userId: number): string =>
  `${PREFIX}user-generation:${userId}`;
/** Tokens are secrets: the store sees a digest. */
const tokenKey = (token: string): string =>
  `${PREFIX}token:${createHash('sha256').update(token).digest('base64url')}`;
/** Generations outlive every body by far; a lost one only costs a rebuild. */
const GENERATION_TTL_MS = 30 * 86_400_000;

/** Which cached body: what the output depends on besides the generations. */
export interface BodyKey {
  userId: number;
  /** The node catalog's content version (equal on every replica). */
  catalogVersion: string;
  /** A digest of the user's columns the body is built from (credentials, level, group, state). */
  userDigest: string;
  /** The renderer, and the `?types=`/`mu` variant. */
  variant: string;
}

/**
 * Subscription bodies, and token → user lookups, in the cache-manager store (Redis with
 * REDIS_URL, shared by every replica; memory otherwise).
 *
 * A body's key holds a global generation and the user's generation, so dropping everything,
 * or everything of one user, is one write that every replica sees on its next read (O(1), no
 * key scans). It also holds the node catalog's content version and a digest of the user's
 * columns, so a node change or a change of the user's row (purchase, renewal, expiry, admin
 * edit) builds a new body even before any invalidation reaches this cache.
 */
@Injectable()
export class SubscriptionCacheService {
  private readonly logger = new Logger(SubscriptionCacheService.name);
  private readonly ttlMs: number;

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    @Inject(subscriptionConfig.KEY)
    config: ConfigType<typeof subscriptionConfig>,
  ) {
    this.ttlMs = config.cacheTtlMs;
  }

  /** The cached body for `key`, or it built with `build` and stored. */
  async body(
    key: BodyKey,
    build: () => RenderedProfile,
  ): Promise<RenderedProfile> {
    const fullKey = await this.bodyKey(key);
    const cached = fullKey
      ? await this.safe(() => this.cache.get<RenderedProfile>(fullKey))
      : undefined;
    if (cached) return cached;
    const built = build();
    if (fullKey)
      await this.safe(() => this.cache.set(fullKey, built, this.ttlMs));
    return built;
  }

  /** Whose token this is, as last looked up (the caller still checks it against the database). */
  async tokenOwner(token: string): Promise<number | undefined> {
    return this.safe(() => this.cache.get<number>(tokenKey(token)));
  }

  async rememberToken(token: string, userId: number): Promise<void> {
    await this.safe(() => this.cache.set(tokenKey(token), userId, this.ttlMs));
  }

  /**
   * Drops a token's lookup from the shared store. Not what keeps a reset token out (every hit
   * is checked against the database), so an outage here is only logged.
   */
  async forgetToken(token: string): Promise<void> {
    await this.safe(() => this.cache.del(tokenKey(token)));
  }

  /** Drops every cached body of one user (their entitlements or credentials changed). */
  async invalidateUser(userId: number): Promise<void> {
    await this.safe(() =>
      this.cache.set(userGeneration(userId), randomUUID(), GENERATION_TTL_MS),
    );
  }

  /** Purchases, renewals, admin edits, expiry: the named users' bodies, or every body. */
  @OnEvent(USERS_ENTITLEMENTS_CHANGED, { suppressErrors: false })
  async onEntitlementsChanged(
    event: UsersEntitlementsChangedEvent,
  ): Promise<void> {
    if (event.userIds === undefined) await this.invalidateAll();
    else await Promise.all(event.userIds.map((id) => this.invalidateUser(id)));
  }

  /** Drops every cached body (a node changed, or many users did). */
  async invalidateAll(): Promise<void> {
    await this.safe(() =>
      this.cache.set(GLOBAL_GENERATION, randomUUID(), GENERATION_TTL_MS),
    );
  }

  /** null when the generations cannot be read: then nothing is cached or served from cache. */
  private async bodyKey(key: BodyKey): Promise<string | null> {
    try {
      const [all, user] = await this.cache.mget<string>([
        GLOBAL_GENERATION,
        userGeneration(key.userId),
      ]);
      return (
        `${PREFIX}body:${key.userId}:${all ?? '0'}:${user ?? '0'}:` +
        `${key.catalogVersion}:${key.userDigest}:${key.variant}`
      );
    } catch (err) {
      this.logger.warn(
        `Subscription cache unavailable: ${(err as Error).message}`,
      );
      return null;
    }
  }

  /**
   * A cache outage degrades to building every body, never to an error (bodies are keyed by the
   * user's columns and the catalog version, so a lost generation bump serves nothing stale).
   */
  private async safe<T>(run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (err) {
      this.logger.warn(
        `Subscription cache unavailable: ${(err as Error).message}`,
      );
      return undefined;
    }
  }
}
