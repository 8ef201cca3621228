import { randomUUID } from 'node:crypto';
import { Table, TableColumn, TableIndex, type QueryRunner } from 'typeorm';
import { kindOfDriver } from '../../dialect.js';
import type {
  ColumnKind,
  ColumnSpec,
  IndexSpec,
  TableSpec,
} from './table-spec.js';

export type Dialect = 'mysql' | 'sqlite';

const MYSQL_CHARSET = 'utf8mb4';
const MYSQL_COLLATION = 'utf8mb4_unicode_ci';

/** Column types MySQL cannot index without a prefix length; legacy databases use them a lot. */
const UNINDEXABLE_TYPES = new Set([
  'text',
  'tinytext',
  'mediumtext',
  'longtext',
  'blob',
  'tinyblob',
  'mediumblob',
  'longblob',
  'json',
]);

/** What existing rows get when SQLite copies a table to add a NOT NULL column without default. */
const ZERO_VALUE: Record<ColumnKind, string | number> = {
  int: 0,
  bigint: 0,
  tinyint: 0,
  double: 0,
  decimal: 0,
  varchar: '',
  text: '',
  datetime: '1970-01-01 00:00:00',
};

export function dialectOf(queryRunner: QueryRunner): Dialect {
  return kindOfDriver(queryRunner.dataSource.driver.options.type);
}

function sqlLiteral(value: string | number): string {
  return typeof value === 'number'
    ? String(value)
    : `'${value.replaceAll("'", "''")}'`;
}

/**
 * `create`: the column as declared. `add`: for an existing table — SQLite adds a column by
 * copying the whole table (TypeORM recreates it), so a NOT NULL column without default needs a
 * zero default for the old rows; MySQL fills the implicit zero value itself on ADD COLUMN.
 */
export function toTableColumn(
  spec: ColumnSpec,
  dialect: Dialect,
  mode: 'create' | 'add',
): TableColumn {
  let dflt = spec.default;
  if (
    mode === 'add' &&
    dialect === 'sqlite' &&
    dflt === undefined &&
    !spec.nullable
  ) {
    dflt = ZERO_VALUE[spec.kind];
  }
  const isString = spec.kind === 'varchar' || spec.kind === 'text';
  return new TableColumn({
    name: spec.name,
    // SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
    type: spec.primary && dialect === 'sqlite' ? 'integer' : spec.kind,
    length: spec.length === undefined ? undefined : String(spec.length),
    precision: spec.kind === 'decimal' ? 12 : undefined,
    scale: spec.kind === 'decimal' ? 2 : undefined,
    isNullable: spec.nullable ?? false,
    default: dflt === undefined ? undefined : sqlLiteral(dflt),
    isPrimary: spec.primary ?? false,
    isGenerated: spec.primary ?? false,
    generationStrategy: spec.primary ? 'increment' : undefined,
    charset: isString && dialect === 'mysql' ? MYSQL_CHARSET : undefined,
    collation: isString && dialect === 'mysql' ? MYSQL_COLLATION : undefined,
  });
}

function toTableIndex(spec: IndexSpec, unique: boolean): TableIndex {
  return new TableIndex({
    name: spec.name,
    columnNames: [...spec.columns],
    isUnique: unique,
  });
}

function columnSetKey(columns: readonly string[]): string {
  return columns
    .map((c) => c.toLowerCase())
    .sort()
    .join(',');
}

/**
 * Whether the table already has this index (ours, by name, from an earlier run) or any index,
 * unique key or primary key on the same columns. Compared as sets: TypeORM's MySQL loader does
 * not order index columns by SEQ_IN_INDEX.
 */
function hasIndexOn(table: Table, spec: IndexSpec): boolean {
  const wanted = columnSetKey(spec.columns);
  const existing = [
    ...table.indices.map((i) => i.columnNames),
    ...table.uniques.map((u) => u.columnNames),
    table.primaryColumns.map((c) => c.name),
  ];
  return (
    table.indices.some(
      (i) => i.name?.toLowerCase() === spec.name.toLowerCase(),
    ) ||
    existing.some(
      (columns) => columns.length > 0 && columnSetKey(columns) === wanted,
    )
  );
}

function findColumn(table: Table, name: string): TableColumn | undefined {
  return table.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
}

const FILL_BATCH = 1000;

/**
 * Gives every row without a value a random v4 UUID, in batches of one UPDATE ... CASE.
 * Generated in JS: MySQL's UUID() is time-based (v1) — guessable, and a user's uuid is their
 * proxy credential — and SQLite has no UUID function at all.
 */
async function fillUuids(
  queryRunner: QueryRunner,
  tableName: string,
  columnName: string,
) {
  const driver = queryRunner.dataSource.driver;
  const table = driver.escape(tableName);
  const column = driver.escape(columnName);
  const id = driver.escape('id');
  let after: number | string = -1;
  for (;;) {
    const rows: Array<{ id: number | string }> = await queryRunner.query(
      `SELECT ${id} AS id FROM ${table} WHERE ${id} > ? AND (${column} IS NULL OR ${column} = '') ` +
        `ORDER BY ${id} LIMIT ${FILL_BATCH}`,
      [after],
    );
    if (rows.length === 0) return;
    const ids = rows.map((r) => r.id);
    await queryRunner.query(
      `UPDATE ${table} SET ${column} = CASE ${id} ${ids.map(() => 'WHEN ? THEN ?').join(' ')} END ` +
        `WHERE ${id} IN (${ids.map(() => '?').join(', ')})`,
      [...ids.flatMap((value) => [value, randomUUID()]), ...ids],
    );
    after = ids[ids.length - 1];
  }
}

async function createTable(
  queryRunner: QueryRunner,
  spec: TableSpec,
  dialect: Dialect,
) {
  const table = new Table({
    name: spec.name,
    columns: spec.columns.map((c) => toTableColumn(c, dialect, 'create')),
    indices: spec.indices.map((i) => toTableIndex(i, i.unique ?? false)),
    engine: dialect === 'mysql' ? 'InnoDB' : undefined,
  });
  await queryRunner.createTable(table, false, false, true);
  if (dialect === 'mysql') {
    // The Table API sets the charset per column only; the table default matters for columns
    // that later migrations add. Metadata-only on a fresh, empty table.
    await queryRunner.query(
      `ALTER TABLE ${queryRunner.dataSource.driver.escape(spec.name)} ` +
        `DEFAULT CHARACTER SET ${MYSQL_CHARSET} COLLATE ${MYSQL_COLLATION}`,
    );
  }
}

/**
 * TypeORM adds SQLite columns by copying the table from its parsed definition, and its parser
 * finds the AUTOINCREMENT column only by double-quoted names. Copying a table it misparsed
 * would silently drop AUTOINCREMENT (ids of deleted rows could then be reused): refuse instead.
 */
async function assertSqliteCopySafe(queryRunner: QueryRunner, table: Table) {
  const rows: Array<{ sql: string }> = await queryRunner.query(
    `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`,
    [table.name],
  );
  const declaresAutoIncrement = /\bAUTOINCREMENT\b/i.test(rows[0]?.sql ?? '');
  if (declaresAutoIncrement && !table.columns.some((c) => c.isGenerated)) {
    throw new Error(
      `Cannot adopt SQLite table "${table.name}": its AUTOINCREMENT column is not double-quoted, ` +
        'so adding columns would lose AUTOINCREMENT. Quote the column name in its definition first.',
    );
  }
}

async function addMissingColumns(
  queryRunner: QueryRunner,
  spec: TableSpec,
  table: Table,
  dialect: Dialect,
): Promise<ColumnSpec[]> {
  const missing = spec.columns.filter((c) => !findColumn(table, c.name));
  if (missing.length === 0) return [];
  const primary = missing.find((c) => c.primary);
  if (primary) {
    throw new Error(
      `Cannot adopt table "${spec.name}": it has no "${primary.name}" column (primary key).`,
    );
  }
  if (dialect === 'sqlite') await assertSqliteCopySafe(queryRunner, table);
  // One call: on SQLite each addColumn() copies the whole table.
  await queryRunner.addColumns(
    table,
    missing.map((c) => toTableColumn(c, dialect, 'add')),
  );
  for (const column of missing) {
    if (column.fillWhenAdded === 'uuid')
      await fillUuids(queryRunner, spec.name, column.name);
  }
  return missing;
}

async function addMissingIndices(
  queryRunner: QueryRunner,
  spec: TableSpec,
  table: Table,
) {
  const logger = queryRunner.dataSource.logger;
  for (const index of spec.indices) {
    const policy = index.whenAdopted ?? 'same';
    if (policy === 'skip' || hasIndexOn(table, index)) continue;
    const unindexable = index.columns.filter((name) => {
      const type = findColumn(table, name)?.type.toLowerCase() ?? '';
      return UNINDEXABLE_TYPES.has(type);
    });
    if (unindexable.length > 0) {
      // Never retype a legacy column to index it; the code does not rely on these keys.
      logger.log(
        'warn',
        `${spec.name}: index ${index.name} not created, ${unindexable.join(', ')} is TEXT/BLOB`,
        queryRunner,
      );
      continue;
    }
    const unique = (index.unique ?? false) && policy === 'same';
    await queryRunner.createIndex(table, toTableIndex(index, unique));
  }
}

/**
 * Brings one table to the spec without touching what exists: a missing table is created with
 * every column and index; an existing one gets only the missing columns and the indices it has
 * nothing on. Never drops, renames or retypes. Running it again changes nothing.
 */
export async function adoptTable(
  queryRunner: QueryRunner,
  spec: TableSpec,
): Promise<void> {
  const dialect = dialectOf(queryRunner);
  const existing = await queryRunner.getTable(spec.name);
  if (!existing) {
    await createTable(queryRunner, spec, dialect);
    return;
  }
  const added = await addMissingColumns(queryRunner, spec, existing, dialect);
  const table =
    added.length > 0 ? await queryRunner.getTable(spec.name) : existing;
  if (!table)
    throw new Error(`Table "${spec.name}" vanished while being adopted`);
  if (added.length > 0) {
    queryRunner.dataSource.logger.log(
      'info',
      `${spec.name}: added ${added.map((c) => c.name).join(', ')}`,
      queryRunner,
    );
  }
  await addMissingIndices(queryRunner, spec, table);
}
