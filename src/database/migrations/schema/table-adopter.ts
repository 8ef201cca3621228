import { Table, TableColumn, TableIndex, type QueryRunner } from 'typeorm';
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
  const type = queryRunner.dataSource.driver.options.type;
  if (type === 'mysql' || type === 'mariadb') return 'mysql';
  if (type === 'better-sqlite3') return 'sqlite';
  throw new Error(`Unsupported database type for the Panel schema: ${type}`);
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

function randomUuidSql(dialect: Dialect): string {
  if (dialect === 'mysql') return 'UUID()';
  // A v4 UUID from randomblob(): SQLite has no uuid function.
  const hex = (bytes: number) => `lower(hex(randomblob(${bytes})))`;
  return (
    `${hex(4)} || '-' || ${hex(2)} || '-4' || substr(${hex(2)}, 2) || '-' || ` +
    `substr('89ab', 1 + (abs(random()) % 4), 1) || substr(${hex(2)}, 2) || '-' || ${hex(6)}`
  );
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
  // One call: on SQLite each addColumn() copies the whole table.
  await queryRunner.addColumns(
    table,
    missing.map((c) => toTableColumn(c, dialect, 'add')),
  );
  const driver = queryRunner.dataSource.driver;
  for (const column of missing) {
    if (column.fillWhenAdded !== 'uuid') continue;
    const name = driver.escape(column.name);
    await queryRunner.query(
      `UPDATE ${driver.escape(spec.name)} SET ${name} = ${randomUuidSql(dialect)} ` +
        `WHERE ${name} IS NULL OR ${name} = ''`,
    );
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
