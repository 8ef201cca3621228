import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { createHash, randomUUID } from 'node:crypto';
import { NODES_CHANGED } from '../../../common/events/domain-events.js';
import { ExpiringStore } from '../../redis/expiring-store.js';
import { type NodeProtocol, readNodeProtocol } from '../protocol/index.js';
import { NodeCatalogRepository } from './node-catalog.repository.js';

/** The enabled nodes as the protocol model reads them, and a version naming this content. */
export interface NodeCatalog {
  /** In `sort`, then id order; rows with problems left out. */
  readonly nodes: readonly NodeProtocol[];
  /** A hash of `nodes`: equal on every replica that read the same rows. */
  readonly version: string;
}

/** How long a replica keeps its parsed copy without a sign of change. */
export const CATALOG_TTL_MS = 30_000;
/**
 * Shared generation, bumped by `invalidate()` so every replica reloads on its next read. A
 * caller that reads other keys on every request too reads it with them (`at()`).
 */
export const CATALOG_GENERATION_KEY = 'node-catalog:generation';
const GENERATION_KEY = CATALOG_GENERATION_KEY;
const GENERATION_TTL_MS = 30 * 86_400_000;

interface Loaded extends NodeCatalog {
  generation: string;
  expiresAt: number;
}

/**
 * Every enabled node read once into the protocol model and kept in process for a short TTL.
 * A node that does not read (bad `custom_config`, unknown sort) is logged and left out: one bad
 * row never breaks every user's subscription. `invalidate()` drops the copy here and bumps a
 * generation in the ExpiringStore (Redis with REDIS_URL), which every replica compares on each
 * read: a node change is seen everywhere at once, for one small cache read per call. It runs
 * on NODES_CHANGED, which admin node edits emit.
 */
@Injectable()
export class NodeCatalogService {
  private readonly logger = new Logger(NodeCatalogService.name);
  private current: Loaded | null = null;
  private loading: Promise<Loaded> | null = null;

  constructor(
    private readonly repository: NodeCatalogRepository,
    private readonly store: ExpiringStore,
  ) {}

  /** The current catalog (reloaded when stale or invalidated anywhere). */
  async list(): Promise<NodeCatalog> {
    return this.at(await this.sharedGeneration());
  }

  /**
   * The catalog under the shared generation as the caller read it (`CATALOG_GENERATION_KEY`,
   * in one round trip with its own keys): null when never bumped, undefined when the store
   * could not be read (then the TTL alone decides). The parsed copy itself when it is current,
   * without a promise.
   */
  at(shared: string | null | undefined): NodeCatalog | Promise<NodeCatalog> {
    const current = this.current;
    // A Redis outage: fall back to the TTL alone.
    const generation =
      shared === undefined
        ? (current?.generation ?? 'initial')
        : (shared ?? 'initial');
    if (
      current &&
      current.generation === generation &&
      current.expiresAt > Date.now()
    )
      return current;
    return this.loadOnce(generation);
  }

  /** Drops every replica's copy: a node was created, edited or disabled (NODES_CHANGED). */
  @OnEvent(NODES_CHANGED, { suppressErrors: false })
  async invalidate(): Promise<void> {
    this.current = null;
    try {
      await this.store.set(GENERATION_KEY, randomUUID(), GENERATION_TTL_MS);
    } catch (err) {
      // Other replicas then see the change within CATALOG_TTL_MS; never fail the admin's edit.
      this.logger.warn(
        `Node catalog generation not shared: ${(err as Error).message}`,
      );
    }
  }

  private async sharedGeneration(): Promise<string | null | undefined> {
    try {
      return await this.store.get(GENERATION_KEY);
    } catch {
      return undefined;
    }
  }

  private loadOnce(generation: string): Promise<Loaded> {
    if (this.loading) return this.loading;
    this.loading = this.load(generation).finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async load(generation: string): Promise<Loaded> {
    const sources = await this.repository.findEnabledNodes();
    const nodes: NodeProtocol[] = [];
    for (const source of sources) {
      const reading = readNodeProtocol(source);
      if (reading.ok) nodes.push(reading.node);
      else
        this.logger.warn(
          { nodeId: source.id, problems: reading.problems },
          `Node ${source.id} left out of subscriptions: its settings do not read`,
        );
    }
    const version = createHash('sha1')
      .update(JSON.stringify(nodes))
      .digest('base64url')
      .slice(0, 16);
    const loaded: Loaded = {
      nodes,
      version,
      generation,
      expiresAt: Date.now() + CATALOG_TTL_MS,
    };
    this.current = loaded;
    return loaded;
  }
}
