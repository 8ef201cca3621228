import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { DataSource, DataSourceOptions } from 'typeorm';
import { loadDatabaseSettings } from '../../src/config/database.config.js';
import {
  buildDataSourceOptions,
  DatabaseKind,
  databaseKind,
} from '../../src/database/typeorm.options.js';
import { copyMigratedTemplate } from './migrated-template.js';

export interface ScratchDatabase {
  options: DataSourceOptions;
  kind: DatabaseKind;
  drop(): Promise<void>;
}

let scratchCounter = 0;

/** `mysql://root@host:3306/db` → the server URL and a database name swapped in. */
export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function onServer(url: string, sql: string): Promise<void> {
  const server = new URL(url);
  server.pathname = '/';
  const conn = await createConnection({ uri: server.toString() });
  try {
    await conn.query(sql);
  } finally {
    await conn.end();
  }
}

/** Drops and recreates a MySQL database (utf8mb4) or deletes a SQLite file: an empty database. */
export async function resetDatabase(settings: {
  url?: string;
  sqlitePath: string;
}): Promise<void> {
  if (settings.url) {
    const name = new URL(settings.url).pathname.slice(1);
    await onServer(settings.url, `DROP DATABASE IF EXISTS \`${name}\``);
    await onServer(
      settings.url,
      `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } else {
    for (const suffix of ['', '-wal', '-shm'])
      rmSync(`${settings.sqlitePath}${suffix}`, { force: true });
  }
}

export async function dropDatabase(settings: {
  url?: string;
  sqlitePath: string;
}): Promise<void> {
  if (settings.url) {
    const name = new URL(settings.url).pathname.slice(1);
    await onServer(settings.url, `DROP DATABASE IF EXISTS \`${name}\``);
  } else {
    for (const suffix of ['', '-wal', '-shm'])
      rmSync(`${settings.sqlitePath}${suffix}`, { force: true });
  }
}

/** A fresh EMPTY database beside the test run's own (no migrations applied). */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const base = loadDatabaseSettings();
  const name = `${process.env.PANEL_TEST_DB_ID ?? 'panel_test'}_${++scratchCounter}`;
  const settings = base.url
    ? { ...base, url: withDatabaseName(base.url, name) }
    : { ...base, sqlitePath: join(tmpdir(), `${name}.sqlite`) };
  await resetDatabase(settings);
  return {
    options: buildDataSourceOptions(settings),
    kind: databaseKind(settings),
    drop: () => dropDatabase(settings),
  };
}

/**
 * Empties the test run's own database and gives it the schema the real migrations build (never
 * synchronize). The migrations run once per migration set into a template (see
 * migrated-template.ts), which is then copied: the same tables, indices, keys and rows, without
 * ~3 s of DDL per test file on MariaDB. migration.e2e-spec.ts runs the migrations themselves.
 */
export async function prepareTestDatabase(): Promise<void> {
  const settings = loadDatabaseSettings();
  await resetDatabase(settings);
  await copyMigratedTemplate(settings, async (template) => {
    const dataSource = await new DataSource(
      buildDataSourceOptions(template),
    ).initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await dataSource.destroy();
    }
  });
}
