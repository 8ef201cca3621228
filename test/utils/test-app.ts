import { INestApplication } from '@nestjs/common';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { configureApp } from '../../src/app.setup.js';
import { loadDatabaseSettings } from '../../src/config/database.config.js';
import { RedisService } from '../../src/modules/redis/redis.service.js';
import { dropDatabase, prepareTestDatabase } from './test-database.js';

export const API = '/app/api/v0';

export interface TestApp {
  app: INestApplication;
  dataSource: DataSource;
  /** supertest bound to the app's HTTP server. */
  http: () => ReturnType<typeof request>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Environment overrides for this app only (read by the config factories at boot). */
  env?: Record<string, string>;
  /** Provider overrides, e.g. to inject a failure. */
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  /** Keep the existing database (a second app instance against the same data). */
  reuseDatabase?: boolean;
}

/**
 * Boots the real AppModule exactly as main.ts does, on this worker's own fresh database (real
 * migrations) and Redis key prefix. `close()` drops the database and the Redis keys.
 */
export async function createTestApp(
  options: TestAppOptions = {},
): Promise<TestApp> {
  const saved = applyEnv(options.env ?? {});
  try {
    if (!options.reuseDatabase) await prepareTestDatabase();
    // Loaded after the overrides are applied: as at a real start, the environment AppModule is
    // loaded with decides its conditional modules (the payment debug route), once per test file.
    const { AppModule } = await import('../../src/app.module.js');
    let builder = Test.createTestingModule({ imports: [AppModule] });
    if (options.override) builder = options.override(builder);
    const moduleRef = await builder.compile();
    const app = moduleRef.createNestApplication<INestApplication>({
      bufferLogs: true,
      bodyParser: false,
    });
    await configureApp(app);
    await app.init();
    const dataSource = app.get<DataSource>(getDataSourceToken());
    return {
      app,
      dataSource,
      http: () => request(app.getHttpServer()),
      close: async () => {
        await clearRedis(app);
        await app.close();
        if (!options.reuseDatabase) await dropDatabase(loadDatabaseSettings());
      },
    };
  } finally {
    restoreEnv(saved);
  }
}

async function clearRedis(app: INestApplication): Promise<void> {
  const redis = app.get(RedisService);
  // Nothing to clear on a Redis the app never reached (tests of a Redis outage).
  if (!redis.client || redis.client.status !== 'ready') return;
  // ioredis' keyPrefix does not apply to SCAN patterns: match the full key, delete without it.
  const keys = await redis.client.keys(`${redis.keyPrefix}*`);
  if (keys.length > 0)
    await redis.client.del(...keys.map((k) => k.slice(redis.keyPrefix.length)));
}

function applyEnv(
  env: Record<string, string>,
): Record<string, string | undefined> {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  return saved;
}

function restoreEnv(saved: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}
