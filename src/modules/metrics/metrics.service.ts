import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { NextFunction, Request, Response } from 'express';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
} from 'prom-client';
import { DataSource } from 'typeorm';
import { isMysql } from '../../database/dialect.js';

/** Label of requests no route matched (404s, body-parser rejections), so raw URLs never become labels. */
export const UNMATCHED_ROUTE = '<unmatched>';

const ANSWERED_AS = Symbol('answeredAs');

/**
 * For a request a fast path answers in front of the router (after `httpMiddleware()`): the
 * route pattern it stands for, so it is counted under that route as the router would have.
 */
export function labelAsRoute(req: Request, pattern: string): void {
  (req as Request & { [ANSWERED_AS]?: string })[ANSWERED_AS] = pattern;
}

/** The matched route pattern; catch-alls (Nest's 404 handler is one) are not routes. */
function routeLabel(req: Request): string {
  const answeredAs = (req as Request & { [ANSWERED_AS]?: string })[ANSWERED_AS];
  if (answeredAs !== undefined) return answeredAs;
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path !== 'string' || path.includes('*')) return UNMATCHED_ROUTE;
  return `${req.baseUrl}${path}`;
}

/** What mysql2's pool keeps (not public API, so every field is optional and checked). */
interface Mysql2PoolInternals {
  config?: { connectionLimit?: number };
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
}

/**
 * The app's Prometheus metrics. One Registry per app instance (tests boot several apps in one
 * process). Other modules inject this service and move the business metrics, e.g.
 * `metrics.ordersPaid.inc()` or `metrics.jobRuns.inc({ job, status: 'ok' })`.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  /** HTTP latency by method, route pattern and status; `_count` is the request count. */
  readonly httpDuration = new Histogram({
    name: 'panel_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /** Bytes (upload + download) ingested from node traffic reports. */
  readonly trafficBytes = new Counter({
    name: 'panel_traffic_bytes_total',
    help: 'Traffic bytes (upload + download) ingested from node reports',
    registers: [this.registry],
  });

  /** Traffic reports recognised as repeats within the dedup window and not applied again. */
  readonly trafficReportsDeduplicated = new Counter({
    name: 'panel_traffic_reports_deduplicated_total',
    help: 'Traffic reports ignored as duplicates within the dedup window',
    registers: [this.registry],
  });

  /** Top-up orders credited (each order counts once). */
  readonly ordersPaid = new Counter({
    name: 'panel_orders_paid_total',
    help: 'Top-up orders marked paid and credited',
    registers: [this.registry],
  });

  /** Referral commission credited, in currency units. */
  readonly commissionPaid = new Counter({
    name: 'panel_commission_paid_total',
    help: 'Referral commission credited, in currency units',
    registers: [this.registry],
  });

  /** Payment gateway callbacks (and reconciliation answers) by gateway and outcome. */
  readonly paymentCallbacks = new Counter({
    name: 'panel_payment_callbacks_total',
    help: 'Payment gateway callbacks by gateway and outcome (credited, already_paid, ignored, rejected, mismatch, error)',
    labelNames: ['gateway', 'outcome'] as const,
    registers: [this.registry],
  });

  /** Unix time of each gateway's last verified callback that was credited or already paid. */
  readonly paymentLastCallbackSuccess = new Gauge({
    name: 'panel_payment_last_successful_callback_timestamp_seconds',
    help: 'Unix time of the last successful (credited or already paid) callback per gateway',
    labelNames: ['gateway'] as const,
    registers: [this.registry],
  });

  /** Scheduler job runs by job name and outcome (`ok`, `failed`, `skipped`, ...). */
  readonly jobRuns = new Counter({
    name: 'panel_job_runs_total',
    help: 'Scheduler job runs by job and status',
    labelNames: ['job', 'status'] as const,
    registers: [this.registry],
  });

  /** Subscription fetches answered, by output and account state (`active`, `expired`, ...). */
  readonly subscriptionFetches = new Counter({
    name: 'panel_subscription_fetches_total',
    help: 'Subscription profiles served, by format and account state',
    labelNames: ['format', 'state'] as const,
    registers: [this.registry],
  });

  /** Unix time (seconds) of each job's last successful run. */
  readonly jobLastSuccess = new Gauge({
    name: 'panel_job_last_success_timestamp_seconds',
    help: 'Unix time of the last successful run per job',
    labelNames: ['job'] as const,
    registers: [this.registry],
  });

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry, prefix: 'panel_' });
    const pool = () => this.mysqlPool();
    new Gauge({
      name: 'panel_db_pool_connections',
      help: 'MySQL pool connections by state (absent in the embedded SQLite mode)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const p = pool();
        if (!p) return;
        const all = p._allConnections?.length ?? 0;
        const idle = p._freeConnections?.length ?? 0;
        this.set({ state: 'max' }, p.config?.connectionLimit ?? 0);
        this.set({ state: 'open' }, all);
        this.set({ state: 'idle' }, idle);
        this.set({ state: 'in_use' }, all - idle);
        this.set({ state: 'waiting' }, p._connectionQueue?.length ?? 0);
      },
    });
  }

  /** A top-up order credited (call after its transaction committed) and its commission. */
  recordOrderPaid(commissionCents: number): void {
    this.ordersPaid.inc();
    if (commissionCents > 0) this.commissionPaid.inc(commissionCents / 100);
  }

  /**
   * One payment callback's outcome. `gateway` must be a bounded label: an enabled gateway's
   * name or `unknown` (the notify path is public, so its raw segment never becomes a label).
   */
  recordPaymentCallback(
    gateway: string,
    outcome: string,
    now = Date.now(),
  ): void {
    this.paymentCallbacks.inc({ gateway, outcome });
    if (outcome === 'credited' || outcome === 'already_paid')
      this.paymentLastCallbackSuccess.set({ gateway }, Math.floor(now / 1000));
  }

  /** One node traffic report: its raw bytes when applied, a dedup hit when it was a repeat. */
  recordTrafficReport(rawBytes: number, duplicate: boolean): void {
    if (duplicate) this.trafficReportsDeduplicated.inc();
    else if (rawBytes > 0) this.trafficBytes.inc(rawBytes);
  }

  /**
   * One HTTP request answered outside the router (the node-API and subscription fast paths),
   * under its route pattern, as `httpMiddleware()` would have counted it.
   */
  observeHttp(
    method: string,
    route: string,
    status: number,
    seconds: number,
  ): void {
    this.httpDuration.observe(
      { method, route, status: String(status) },
      seconds,
    );
  }

  /** Prometheus text exposition of every metric. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * Express middleware timing every request, registered first so 413s and 404s count too.
   * The label is the matched route pattern (`/app/api/v0/orders/:id`), never the raw URL.
   */
  httpMiddleware(): (req: Request, res: Response, next: NextFunction) => void {
    return (req, res, next) => {
      const end = this.httpDuration.startTimer();
      res.once('finish', () => {
        end({
          method: req.method,
          route: routeLabel(req),
          status: String(res.statusCode),
        });
      });
      next();
    };
  }

  private mysqlPool(): Mysql2PoolInternals | undefined {
    if (!this.dataSource.isInitialized) return undefined;
    if (!isMysql(this.dataSource)) return undefined;
    return (this.dataSource.driver as unknown as { pool?: Mysql2PoolInternals })
      .pool;
  }
}
