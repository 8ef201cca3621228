import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createConnection,
  type Connection,
  type RowDataPacket,
} from 'mysql2/promise';
import { ALL_MIGRATIONS } from '../../src/database/migrations/index.js';
import { treeHash } from './tree-hash.js';

// A test file's fresh database is a copy of one migrated by the real migrations. The template
// is named after a hash of src/database/migrations/ (so a changed migration builds a new one),
// built once per machine and migration set under a lock, and only ever read afterwards.

interface Target {
  url?: string;
  sqlitePath: string;
}

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * Gives `target` (an existing, empty database) the migrated schema: `migrate` runs the real
 * migrations against the template's settings when the template does not exist yet.
 */
export async function copyMigratedTemplate<T extends Target>(
  target: T,
  migrate: (template: T) => Promise<void>,
): Promise<void> {
  const name = `panel_tpl_${treeHash(ROOT, ['src/database/migrations'])}`;
  if (target.url) await copyMysql(target, name, migrate);
  else await copySqlite(target, name, migrate);
}

async function copySqlite<T extends Target>(
  target: T,
  name: string,
  migrate: (template: T) => Promise<void>,
): Promise<void> {
  const template = join(tmpdir(), `${name}.sqlite`);
  if (!existsSync(template)) {
    // Built beside it and renamed into place: a reader never sees a half-migrated file, and
    // two workers building at once leave the same file.
    const building = `${template}.${process.pid}.building`;
    try {
      await migrate({ ...target, sqlitePath: building });
      renameSync(building, template);
    } finally {
      for (const suffix of ['', '-wal', '-shm'])
        rmSync(`${building}${suffix}`, { force: true });
    }
  }
  copyFileSync(template, target.sqlitePath);
}

async function copyMysql<T extends Target>(
  target: T,
  name: string,
  migrate: (template: T) => Promise<void>,
): Promise<void> {
  const server = new URL(target.url as string);
  const targetDb = server.pathname.slice(1);
  server.pathname = '/';
  const conn = await createConnection({
    uri: server.toString(),
    multipleStatements: true,
  });
  try {
    await ensureMysqlTemplate(conn, target, name, migrate);
    await cloneMysqlSchema(conn, name, targetDb);
  } finally {
    await conn.end();
  }
}

async function ensureMysqlTemplate<T extends Target>(
  conn: Connection,
  target: T,
  name: string,
  migrate: (template: T) => Promise<void>,
): Promise<void> {
  const [[lock]] = await conn.query<RowDataPacket[]>(
    'SELECT GET_LOCK(?, 300) AS got',
    [name],
  );
  if (Number(lock?.got) !== 1)
    throw new Error(`could not lock the test template ${name}`);
  try {
    if (await mysqlTemplateComplete(conn, name)) return;
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await conn.query(
      `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    const url = new URL(target.url as string);
    url.pathname = `/${name}`;
    await migrate({ ...target, url: url.toString() });
  } finally {
    await conn.query('SELECT RELEASE_LOCK(?)', [name]);
  }
}

/** Complete = every migration recorded (the row is written after its migration ran). */
async function mysqlTemplateComplete(
  conn: Connection,
  name: string,
): Promise<boolean> {
  try {
    const [[row]] = await conn.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM \`${name}\`.panel_migrations`,
    );
    return Number(row?.n) === ALL_MIGRATIONS.length;
  } catch {
    return false;
  }
}

/** Each table as SHOW CREATE TABLE gives it (indices, keys, foreign keys), then its rows. */
async function cloneMysqlSchema(
  conn: Connection,
  template: string,
  targetDb: string,
): Promise<void> {
  const [tables] = await conn.query<RowDataPacket[]>(
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
    [template],
  );
  const creates: string[] = [];
  for (const { name } of tables as { name: string }[]) {
    const [[row]] = await conn.query<RowDataPacket[]>(
      `SHOW CREATE TABLE \`${template}\`.\`${name}\``,
    );
    creates.push(`${String(row?.['Create Table'])};`);
  }
  const copies = (tables as { name: string }[]).map(
    ({ name }) =>
      `INSERT INTO \`${name}\` SELECT * FROM \`${template}\`.\`${name}\`;`,
  );
  await conn.query(
    [
      'SET FOREIGN_KEY_CHECKS = 0;',
      `USE \`${targetDb}\`;`,
      ...creates,
      ...copies,
      'SET FOREIGN_KEY_CHECKS = 1;',
    ].join('\n'),
  );
}
