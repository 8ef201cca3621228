import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { OnEvent } from '@nestjs/event-emitter';
import {
  NODES_CHANGED,
  NodesChangedEvent,
  USERS_ENTITLEMENTS_CHANGED,
} from '../../common/events/domain-events.js';
import { nodeConfig } from '../../config/index.js';
import { EtaggedReply, EtagScheme, PANEL_ETAG } from './etag.js';
import { lazyGzip } from './gzip.js';
import type { NodeErrorCode } from '../node/node.exception.js';
import { NodeRepository } from '../node/node.repository.js';
import { ExpiringStore } from '../redis/expiring-store.js';

/** Why a node gets no list (seed dialect); the SSPanel dialect caches an empty list instead. */
export interface ListRefusal {
  code: NodeErrorCode;
  message: string;
}

/** What a builder produces: the exact response body, or a refusal. */
export type BuiltList = { body: string } | { refusal: ListRefusal };

export type ResolvedList = EtaggedReply | { refusal: ListRefusal };

/** Small, read on every poll: the tag (or the refusal) without the body. */
interface Head {
  etag: string;
  refusal?: ListRefusal;
}

interface Stored {
  etag: string;
  body: string;
}

/**
 * How a head is kept: the ETag itself (always `"…"` or `W/"…"`), or a refusal as JSON (`{…}`),
 * so a poll's read is one GET and no decode.
 */
export function encodeHead(head: Head): string {
  return head.refusal ? JSON.stringify(head.refusal) : head.etag;
}

export function decodeHead(text: string): Head {
  return text.startsWith('{')
    ? { etag: '', refusal: JSON.parse(text) as ListRefusal }
    : { etag: text };
}

/** How a body is kept: `<etag>\n<body>` (an ETag holds no newline). */
export function encodeBody(stored: Stored): string {
  return `${stored.etag}\n${stored.body}`;
}

export function decodeBody(text: string): Stored {
  const cut = text.indexOf('\n');
  return { etag: text.slice(0, cut), body: text.slice(cut + 1) };
}

interface Local {
  etag: string;
  body: Buffer;
  /** Compressed on first use, once per cache fill (see sendEtagged). */
  gzip: () => Promise<Buffer>;
}

/** Which cached list: the dialect and the node (`all` = seed list without node_id). */
export type ListKey =
  `mu:${number}` | `seed:${number}` | 'seed:all' | `uniproxy:${number}`;

const PREFIX = 'node-users:';

/**
 * Per-node user lists and their ETags in the ExpiringStore (the app's Redis client, or memory in
 * the embedded mode), so a poll, and above all a 304, never rebuilds the list.
 *
 * Each list is two keys: a small head (ETag) read on every poll and the body read only when this
 * replica's in-process copy has another tag. Both are plain text (encodeHead, encodeBody): the
 * 304's read is one GET and a string comparison. Bodies stay as serialised JSON bytes, sent as
 * is. A store outage degrades to misses (every poll builds), never to an error.
 *
 * Freshness: the service invalidates when it changes what a list shows (nothing on the hot
 * paths does), other modules announce changes to users or nodes (purchase, admin edits) with
 * the events it listens to, and NODE_USERS_CACHE_TTL_S bounds everything else, notably a user who crosses the
 * quota through traffic or whose class/account expires: such a user drops out of the list at
 * the latest one TTL later.
 */
@Injectable()
export class NodeCacheService {
  private readonly logger = new Logger(NodeCacheService.name);
  private readonly ttlMs: number;
  private readonly local = new Map<ListKey, Local>();
  private readonly building = new Map<ListKey, Promise<ResolvedList>>();

  constructor(
    private readonly store: ExpiringStore,
    @Inject(nodeConfig.KEY) config: ConfigType<typeof nodeConfig>,
    private readonly nodes: NodeRepository,
  ) {
    this.ttlMs = config.usersCacheTtlS * 1000;
  }

  /**
   * The cached list for `key`, built with `build` on a miss (once per replica at a time), tagged
   * and matched with the dialect's ETag scheme (always the same one for a given key).
   */
  async resolve(
    key: ListKey,
    ifNoneMatch: string | undefined,
    build: () => Promise<BuiltList>,
    scheme: EtagScheme = PANEL_ETAG,
  ): Promise<ResolvedList> {
    const head = await this.head(key);
    if (head) {
      if (head.refusal) return { refusal: head.refusal };
      if (scheme.matches(ifNoneMatch, head.etag))
        return { etag: head.etag, body: null };
      const local = this.local.get(key);
      if (local?.etag === head.etag) return local;
      const text = await this.safe(() =>
        this.store.get(`${PREFIX}${key}:body`),
      );
      const stored = text ? decodeBody(text) : undefined;
      if (stored?.etag === head.etag) return this.remember(key, stored);
    }
    const built = await this.buildOnce(key, build, scheme);
    if ('refusal' in built) return built;
    return scheme.matches(ifNoneMatch, built.etag)
      ? { etag: built.etag, body: null }
      : built;
  }

  /**
   * The cached tag when If-None-Match equals it byte for byte (the client's copy is current),
   * else null: the same head read and comparison `resolve()` starts with, without the body.
   */
  async notModified(
    key: ListKey,
    ifNoneMatch: string | undefined,
    scheme: EtagScheme = PANEL_ETAG,
  ): Promise<string | null> {
    if (ifNoneMatch === undefined || ifNoneMatch === '') return null;
    const head = await this.head(key);
    return head && !head.refusal && scheme.matches(ifNoneMatch, head.etag)
      ? head.etag
      : null;
  }

  private async head(key: ListKey): Promise<Head | undefined> {
    const text = await this.safe(() => this.store.get(`${PREFIX}${key}:head`));
    return text ? decodeHead(text) : undefined;
  }

  /**
   * Drops the cached lists of one node, or of every node (and the seed list of all users) when
   * no id is given. Call it after changing a user's servability (plan purchase, admin edit,
   * deletion) or a node's settings.
   */
  async invalidate(nodeId?: number): Promise<void> {
    const ids = nodeId === undefined ? await this.nodes.listIds() : [nodeId];
    const keys: ListKey[] = ['seed:all'];
    for (const id of ids) keys.push(`mu:${id}`, `seed:${id}`, `uniproxy:${id}`);
    await this.safe(() =>
      this.store.deleteMany(
        keys.flatMap((k) => [`${PREFIX}${k}:head`, `${PREFIX}${k}:body`]),
      ),
    );
    if (nodeId === undefined) this.local.clear();
    else for (const k of keys) this.local.delete(k);
  }

  /** A node's settings changed: its lists (or, without an id, every list) are stale. */
  @OnEvent(NODES_CHANGED, { suppressErrors: false })
  async onNodesChanged(event: NodesChangedEvent): Promise<void> {
    await this.invalidate(event.nodeId);
  }

  /**
   * A user's servability changed. Every node's list is dropped whichever users are named: one
   * user can appear on any node, and a list has no per-user index.
   */
  @OnEvent(USERS_ENTITLEMENTS_CHANGED, { suppressErrors: false })
  async onUsersEntitlementsChanged(): Promise<void> {
    await this.invalidate();
  }

  private buildOnce(
    key: ListKey,
    build: () => Promise<BuiltList>,
    scheme: EtagScheme,
  ): Promise<ResolvedList> {
    const pending = this.building.get(key);
    if (pending) return pending;
    const promise = this.buildAndStore(key, build, scheme).finally(() =>
      this.building.delete(key),
    );
    this.building.set(key, promise);
    return promise;
  }

  private async buildAndStore(
    key: ListKey,
    build: () => Promise<BuiltList>,
    scheme: EtagScheme,
  ): Promise<ResolvedList> {
    const built = await build();
    if ('refusal' in built) {
      await this.safe(() =>
        this.store.set(
          `${PREFIX}${key}:head`,
          encodeHead({ etag: '', refusal: built.refusal }),
          this.ttlMs,
        ),
      );
      return built;
    }
    const stored: Stored = { etag: scheme.tag(built.body), body: built.body };
    // Body first and living a little longer, so a head found in the cache has its body there.
    await this.safe(async () => {
      await this.store.set(
        `${PREFIX}${key}:body`,
        encodeBody(stored),
        this.ttlMs + 5_000,
      );
      await this.store.set(
        `${PREFIX}${key}:head`,
        encodeHead({ etag: stored.etag }),
        this.ttlMs,
      );
    });
    return this.remember(key, stored);
  }

  /** A store outage is a miss (read) or nothing kept (write): the lists are rebuilt instead. */
  private async safe<T>(run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (err) {
      this.logger.warn(
        `Node list cache unavailable: ${(err as Error).message}`,
      );
      return undefined;
    }
  }

  private remember(key: ListKey, stored: Stored): Local {
    const body = Buffer.from(stored.body);
    const local: Local = { etag: stored.etag, body, gzip: lazyGzip(body) };
    this.local.set(key, local);
    return local;
  }
}
