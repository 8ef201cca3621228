import { Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Response } from 'express';
import { createHash } from 'node:crypto';
import { appConfig, subscriptionConfig } from '../../config/index.js';
import { isDatabaseUnavailable } from '../../database/db-errors.js';
import { logLevelEnabled } from '../logging/request-completed.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { NodeCatalogService } from '../node/catalog/index.js';
import type { ProtocolName } from '../node/protocol/index.js';
import type { OutputKind } from './client-detection.js';
import type { ProfileEntry, RenderedProfile } from './formats/profile.js';
import { SubscriptionCacheService } from './subscription-cache.service.js';
import {
  type AccountState,
  accountState,
  buildEntries,
  contentDisposition,
  placeholderEntry,
  placeholderName,
  profileTitle,
  type Subscriber,
  subscriptionUserinfo,
} from './subscription-content.js';
import { SubscriptionGuardService } from './subscription-guard.service.js';
import {
  PROFILE_RENDERERS,
  type RendererSet,
} from './subscription-renderers.js';
import { SubscriptionTokenService } from './subscription-token.service.js';
import {
  SubscriptionErrorCode,
  SubscriptionException,
} from './subscription.exception.js';

/** One subscription request, as the controller read it. */
export interface FetchRequest {
  token: string;
  output: OutputKind;
  /** `?types=` / `mu`: only these protocols; null = all. */
  protocols: ReadonlySet<ProtocolName> | null;
  ip: string;
  userAgent: string;
  /** `GET /sub/…` as requested, for the 404 that matches an unknown path's. */
  method: string;
  url: string;
}

export interface SubscriptionReply {
  body: string;
  headers: Record<string, string>;
}

/**
 * Writes a fetched profile: the route and the fast path answer with this, byte for byte.
 * Node's own `writeHead`/`end` rather than Express's `set`/`send`: the headers are final
 * (the content type carries its charset), no ETag is wanted, and `send` would re-parse the
 * content type and copy the body into a Buffer first. Node leaves the body out for HEAD.
 */
export function writeProfile(res: Response, reply: SubscriptionReply): void {
  res.writeHead(200, {
    ...reply.headers,
    'content-length': Buffer.byteLength(reply.body),
  });
  res.end(reply.body);
}

/**
 * A subscription fetch: the token's user, their account state, the nodes they may use now,
 * rendered in the client's format (cached), with the headers clients read.
 */
@Injectable()
export class SubscriptionFetchService {
  private readonly logger = new Logger(SubscriptionFetchService.name);
  private readonly site: string;
  /** Headers that depend on the configuration only, formatted once. */
  private readonly updateInterval: string;
  private readonly title: string;

  constructor(
    private readonly tokens: SubscriptionTokenService,
    private readonly catalog: NodeCatalogService,
    private readonly cache: SubscriptionCacheService,
    private readonly guard: SubscriptionGuardService,
    private readonly metrics: MetricsService,
    @Inject(PROFILE_RENDERERS) private readonly renderers: RendererSet,
    @Inject(subscriptionConfig.KEY)
    private readonly config: ConfigType<typeof subscriptionConfig>,
    @Inject(appConfig.KEY) app: ConfigType<typeof appConfig>,
  ) {
    this.site = app.publicUrl.replace(/^https?:\/\//, '');
    this.updateInterval = String(config.updateIntervalH);
    this.title = profileTitle(config.siteName);
  }

  /**
   * The profile for `request`; an unknown or reset token answers like an unknown path, a
   * database outage 503 (clients retry later; never a 500 or a half-built profile).
   */
  fetch(request: FetchRequest): Promise<SubscriptionReply> {
    return this.answer(request).catch((err: unknown) => {
      if (!isDatabaseUnavailable(err)) throw err;
      this.logger.warn(
        `Subscription fetch without a database: ${(err as Error).message}`,
      );
      throw new SubscriptionException(
        SubscriptionErrorCode.SUBSCRIPTION_UNAVAILABLE,
        'Subscriptions are temporarily unavailable, retry later',
      );
    });
  }

  private async answer(request: FetchRequest): Promise<SubscriptionReply> {
    const now = new Date();
    const subscriber = await this.tokens.resolve(request.token);
    if (!subscriber)
      throw new NotFoundException(`Cannot ${request.method} ${request.url}`);
    const verdict = await this.guard.recordFetch(subscriber, request.ip, now);
    const state: AccountState =
      verdict === 'disabled' ? 'disabled' : accountState(subscriber, now);
    this.metrics.subscriptionFetches.inc({ format: request.output, state });
    // The fetch log (time from pino): who, from where, with what client, in which format.
    // Not even built when LOG_LEVEL drops info lines (Nest's logger → nestjs-pino → pino
    // would build and pass it on first).
    if (logLevelEnabled('info'))
      this.logger.log(
        {
          userId: subscriber.id,
          ip: request.ip,
          userAgent: request.userAgent,
          format: request.output,
          state,
        },
        'Subscription fetch',
      );
    // The catalog's generation comes with the body's: one round trip for both.
    const generations = await this.cache.generations(subscriber.id);
    const current = this.catalog.at(
      generations ? generations.catalog : undefined,
    );
    const catalog = current instanceof Promise ? await current : current;
    const rendered = await this.cache.body(
      {
        userId: subscriber.id,
        catalogVersion: catalog.version,
        userDigest: digestOf(subscriber, state),
        variant: variantOf(request),
      },
      generations,
      () => this.render(request, subscriber, state, catalog.nodes),
    );
    return { body: rendered.body, headers: this.headers(subscriber, rendered) };
  }

  private render(
    request: FetchRequest,
    subscriber: Subscriber,
    state: AccountState,
    nodes: Parameters<typeof buildEntries>[0],
  ): RenderedProfile {
    let entries: ProfileEntry[] =
      state === 'active'
        ? buildEntries(nodes, subscriber, request.protocols)
        : [placeholderEntry(placeholderName(state, this.site))];
    if (entries.length === 0)
      entries = [placeholderEntry(placeholderName('no-nodes', this.site))];
    return this.renderers[request.output]({
      entries,
      title: this.config.siteName,
    });
  }

  private headers(
    subscriber: Subscriber,
    rendered: RenderedProfile,
  ): Record<string, string> {
    return {
      'content-type': rendered.contentType,
      'subscription-userinfo': subscriptionUserinfo(subscriber),
      'profile-update-interval': this.updateInterval,
      'content-disposition': contentDisposition(
        this.config.siteName,
        rendered.extension,
      ),
      'profile-title': this.title,
      'cache-control': 'no-store',
    };
  }
}

/** The user's columns a body is built from; traffic counters stay out (they go in headers). */
export function digestOf(s: Subscriber, state: AccountState): string {
  return createHash('sha1')
    .update(
      JSON.stringify([
        s.uuid,
        s.passwd,
        s.port,
        s.method,
        s.classLevel,
        s.nodeGroup,
        state,
      ]),
    )
    .digest('base64url')
    .slice(0, 16);
}

function variantOf(request: FetchRequest): string {
  const protocols = request.protocols
    ? [...request.protocols].sort().join(',')
    : '*';
  return `${request.output}:${protocols}`;
}
