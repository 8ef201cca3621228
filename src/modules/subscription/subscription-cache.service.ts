import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { OnEvent } from '@nestjs/event-emitter';
import { createHash, randomUUID } from 'node:crypto';
import {
  USERS_ENTITLEMENTS_CHANGED,
  UsersEntitlementsChangedEvent,
} from '../../common/events/domain-events.js';
import { subscriptionConfig } from '../../config/index.js';
import { CATALOG_GENERATION_KEY } from '../node/catalog/index.js';
import { ExpiringStore } from '../redis/expiring-store.js';
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

/**
 * A rendered profile as one stored string: `<content type>\n<extension>\n<body>` (neither of
 * the first two holds a newline). Plain text rather than JSON: a hit is two `indexOf`s and
 * slices, not a parse of (and an escape pass over) a 20–40 KiB body. The bench's ceiling
 * stores and reads the same.
 */
export function encodeProfile(profile: RenderedProfile): string {
  return `${profile.contentType}\n${profile.extension}\n${profile.body}`;
}

/** The profile of {@link encodeProfile}'s string; undefined for anything else. */
export function decodeProfile(stored: string): RenderedProfile | undefined {
  const typeEnd = stored.indexOf('\n');
  const extensionEnd = typeEnd < 0 ? -1 : stored.indexOf('\n', typeEnd + 1);
  if (extensionEnd < 0) return undefined;
  return {
    contentType: stored.slice(0, typeEnd),
    extension: stored.slice(typeEnd + 1, extensionEnd),
    body: stored.slice(extensionEnd + 1),
  };
}

/** A stored token owner: a positive user id, else undefined. */
function ownerOf(stored: string | null): number | undefined {
  const owner = stored ? Number(stored) : NaN;
  return Number.isSafeInteger(owner) && owner > 0 ? owner : undefined;
}

/**
 * The shared generations a fetch's body key is stamped with, read in one round trip: the node
 * catalog's (for `NodeCatalogService.at()`), every body's and the user's bodies'.
 */
export interface Generations {
  catalog: string | null;
  all: string | null;
  user: string | null;
}

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
 * Subscription bodies, and token → user lookups, in the ExpiringStore (Redis with REDIS_URL,
 * shared by every replica, on the app's one ioredis connection that the rate limit and the
 * fetch counters use too; memory otherwise).
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
    private readonly store: ExpiringStore,
    @Inject(subscriptionConfig.KEY)
    config: ConfigType<typeof subscriptionConfig>,
  ) {
    this.ttlMs = config.cacheTtlMs;
  }

  /**
   * The generations for `userId`'s body key, and the catalog's, in one read; null when they
   * cannot be read: then nothing is cached or served from cache.
   */
  generations(userId: number): Promise<Generations | null> {
    return this.store
      .getMany([
        CATALOG_GENERATION_KEY,
        GLOBAL_GENERATION,
        userGeneration(userId),
      ])
      .then(
        ([catalog, all, user]) => ({ catalog, all, user }),
        (err: unknown) => {
          this.warn(err);
          return null;
        },
      );
  }

  /**
   * The cached body for `key` under `generations` (`generations()`), or it built with `build`
   * and stored; without generations, built and not stored.
   */
  body(
    key: BodyKey,
    generations: Generations | null,
    build: () => RenderedProfile,
  ): Promise<RenderedProfile> {
    if (!generations) return Promise.resolve().then(build);
    const fullKey =
      `${PREFIX}body:${key.userId}:${generations.all ?? '0'}:${generations.user ?? '0'}:` +
      `${key.catalogVersion}:${key.userDigest}:${key.variant}`;
    // A hit resolves without another promise layer; a miss (or a failed read) builds and stores.
    return this.store.get(fullKey).then(
      (stored) =>
        (stored ? decodeProfile(stored) : undefined) ??
        this.buildAndStore(fullKey, build),
      (err: unknown) => {
        this.warn(err);
        return this.buildAndStore(fullKey, build);
      },
    );
  }

  private async buildAndStore(
    fullKey: string,
    build: () => RenderedProfile,
  ): Promise<RenderedProfile> {
    const built = build();
    await this.safe(() =>
      this.store.set(fullKey, encodeProfile(built), this.ttlMs),
    );
    return built;
  }

  /** Whose token this is, as last looked up (the caller still checks it against the database). */
  tokenOwner(token: string): Promise<number | undefined> {
    return this.store.get(tokenKey(token)).then(ownerOf, (err: unknown) => {
      this.warn(err);
      return undefined;
    });
  }

  async rememberToken(token: string, userId: number): Promise<void> {
    await this.safe(() =>
      this.store.set(tokenKey(token), String(userId), this.ttlMs),
    );
  }

  /**
   * Drops a token's lookup from the shared store, while it still names `owner` (the token was
   * reset, or no longer resolves). Not what keeps a reset token out (every hit is checked
   * against the database), so an outage here is only logged.
   */
  async forgetToken(token: string, owner: number): Promise<void> {
    await this.safe(() =>
      this.store.deleteIfEquals(tokenKey(token), String(owner)),
    );
  }

  /** Drops every cached body of one user (their entitlements or credentials changed). */
  async invalidateUser(userId: number): Promise<void> {
    await this.safe(() =>
      this.store.set(userGeneration(userId), randomUUID(), GENERATION_TTL_MS),
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
      this.store.set(GLOBAL_GENERATION, randomUUID(), GENERATION_TTL_MS),
    );
  }

  /**
   * A cache outage degrades to building every body, never to an error (bodies are keyed by the
   * user's columns and the catalog version, so a lost generation bump serves nothing stale).
   */
  private async safe<T>(run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (err) {
      this.warn(err);
      return undefined;
    }
  }

  private warn(err: unknown): void {
    this.logger.warn(
      `Subscription cache unavailable: ${(err as Error).message}`,
    );
  }
}
