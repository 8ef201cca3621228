/**
 * The money and traffic core without the HTTP app: the real services and repositories, built
 * by hand on this worker's own SQLite (or MariaDB) database with the real migrations. These
 * specs load a fraction of what an e2e spec boots, so the mutation run (stryker.config.mjs),
 * which re-runs the covering specs once per mutant, stays within the CI budget; the e2e specs
 * still prove the same paths through HTTP.
 */
import { Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { loadDatabaseSettings } from '../../src/config/database.config.js';
import {
  nodeConfig,
  redisConfig,
  referralConfig,
} from '../../src/config/index.js';
import { serializeSqliteAccess } from '../../src/database/sqlite-serializer.js';
import { buildDataSourceOptions } from '../../src/database/typeorm.options.js';
import { LedgerRepository } from '../../src/modules/ledger/ledger.repository.js';
import { LedgerService } from '../../src/modules/ledger/ledger.service.js';
import type { MetricsService } from '../../src/modules/metrics/metrics.service.js';
import { NodeUserRepository } from '../../src/modules/node-api/node-user.repository.js';
import { NodeTrafficService } from '../../src/modules/node-api/node-traffic.service.js';
import { TrafficReportRepository } from '../../src/modules/node-api/traffic-report.repository.js';
import { NodeRepository } from '../../src/modules/node/node.repository.js';
import { NodeStateService } from '../../src/modules/node/node-state.service.js';
import { PaymentCreditService } from '../../src/modules/payment/payment-credit.service.js';
import { PaymentRepository } from '../../src/modules/payment/payment.repository.js';
import { MemoryExpiringStore } from '../../src/modules/redis/memory-expiring-store.js';
import { RedisExpiringStore } from '../../src/modules/redis/redis-expiring-store.js';
import { RedisService } from '../../src/modules/redis/redis.service.js';
import { ReferralRepository } from '../../src/modules/referral/referral.repository.js';
import { ReferralService } from '../../src/modules/referral/referral.service.js';
import { CouponRepository } from '../../src/modules/shop/coupon.repository.js';
import { ShopPurchaseService } from '../../src/modules/shop/shop-purchase.service.js';
import { ShopRepository } from '../../src/modules/shop/shop.repository.js';
import { dropDatabase, prepareTestDatabase } from '../utils/test-database.js';

export interface Core {
  ds: DataSource;
  ledger: LedgerService;
  referral: ReferralService;
  credit: PaymentCreditService;
  purchase: ShopPurchaseService;
  events: EventEmitter2;
  traffic: NodeTrafficService;
  /** What the services reported to the metrics: one entry per call. */
  metrics: {
    ordersPaid: number[];
    trafficReports: [rawBytes: number, duplicate: boolean][];
  };
  close(): Promise<void>;
}

/** Builds the core on a fresh migrated database; `env` overrides the config for this core only. */
// The services' own Nest loggers would print every expected warning.
Logger.overrideLogger(false);

export async function createCore(
  env: Record<string, string> = {},
): Promise<Core> {
  const saved = Object.fromEntries(
    Object.keys(env).map((k) => [k, process.env[k]]),
  );
  Object.assign(process.env, env);
  try {
    await prepareTestDatabase();
    const settings = loadDatabaseSettings();
    const options = buildDataSourceOptions(settings);
    let ds = await new DataSource(options).initialize();
    if (options.type === 'better-sqlite3') ds = serializeSqliteAccess(ds);
    const ledger = new LedgerService(new LedgerRepository(ds));
    const referral = new ReferralService(
      referralConfig(),
      new ReferralRepository(ds),
      ledger,
    );
    const events = new EventEmitter2();
    const nodes = new NodeRepository(ds);
    const redis = new RedisService(redisConfig());
    const recorded: Core['metrics'] = { ordersPaid: [], trafficReports: [] };
    // Only the two calls the core makes; prom-client's own registry is the e2e specs' business.
    const metrics = {
      recordOrderPaid: (commissionCents: number) =>
        recorded.ordersPaid.push(commissionCents),
      recordTrafficReport: (rawBytes: number, duplicate: boolean) =>
        recorded.trafficReports.push([rawBytes, duplicate]),
    } as unknown as MetricsService;
    return {
      ds,
      ledger,
      referral,
      credit: new PaymentCreditService(
        ds,
        new PaymentRepository(ds),
        ledger,
        referral,
        metrics,
      ),
      purchase: new ShopPurchaseService(
        ds,
        new ShopRepository(ds),
        new CouponRepository(ds),
        ledger,
        events,
      ),
      events,
      traffic: new NodeTrafficService(
        ds,
        nodeConfig(),
        nodes,
        new NodeUserRepository(ds),
        new TrafficReportRepository(ds),
        new NodeStateService(
          nodes,
          redis.client
            ? new RedisExpiringStore(redis.client)
            : new MemoryExpiringStore(),
          nodeConfig(),
        ),
        metrics,
      ),
      metrics: recorded,
      close: async () => {
        await redis.onApplicationShutdown();
        await ds.destroy();
        await dropDatabase(settings);
      },
    };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
