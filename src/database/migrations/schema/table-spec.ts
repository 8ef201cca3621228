/**
 * A driver-neutral description of tables, used by migrations that must run on MySQL/MariaDB and
 * SQLite alike. Only portable column kinds exist here; `table-adopter.ts` turns a spec into
 * TypeORM `Table`/`TableColumn` objects for the driver at hand.
 *
 * A spec is a frozen snapshot belonging to the migration that uses it: never edit one that has
 * shipped — write a new migration (and, if needed, a new spec) instead.
 */
export type ColumnKind =
  | 'int'
  | 'bigint'
  | 'tinyint'
  | 'double'
  | 'decimal'
  | 'varchar'
  | 'text'
  | 'datetime';

export interface ColumnSpec {
  readonly name: string;
  readonly kind: ColumnKind;
  /** VARCHAR length. */
  readonly length?: number;
  readonly nullable?: boolean;
  /**
   * A literal default (never an SQL expression). `undefined` = none: every INSERT must set the
   * column, exactly as on the legacy databases we adopt (strict SQL mode rejects the row).
   */
  readonly default?: string | number;
  /** The auto-increment primary key. */
  readonly primary?: boolean;
  /**
   * Data to generate for existing rows when the column is ADDED to an adopted table
   * (rows created later get it from the application).
   */
  readonly fillWhenAdded?: 'uuid';
}

/**
 * What to do with an index when the table already exists (adopted) and has no index on those
 * columns yet:
 * - `same`: create it as declared (also UNIQUE);
 * - `plain`: create it non-unique — legacy rows may already violate the uniqueness;
 * - `skip`: fresh tables only (e.g. a UNIQUE on a column that legacy databases keep as TEXT).
 */
export type AdoptIndexPolicy = 'same' | 'plain' | 'skip';

export interface IndexSpec {
  /** Globally unique (SQLite index names are per database): `idx_<table>_...` / `uq_<table>_...`. */
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique?: boolean;
  /** Default `same`. */
  readonly whenAdopted?: AdoptIndexPolicy;
}

export interface TableSpec {
  readonly name: string;
  /**
   * Our own table (docs/spec/data-model.md "new"): the migration that creates it may drop it in `down()`.
   * Legacy tables are never dropped.
   */
  readonly ours: boolean;
  readonly columns: readonly ColumnSpec[];
  readonly indices: readonly IndexSpec[];
}

type ColumnOptions = Omit<
  ColumnSpec,
  'name' | 'kind' | 'length' | 'default' | 'primary'
>;

/** Column builders: `int('t', 0)` = INT NOT NULL DEFAULT 0; `int('userid')` = no default. */
export const col = {
  id: (kind: 'int' | 'bigint' = 'int'): ColumnSpec => ({
    name: 'id',
    kind,
    primary: true,
  }),
  int: (name: string, dflt?: number, opts?: ColumnOptions): ColumnSpec => ({
    name,
    kind: 'int',
    default: dflt,
    ...opts,
  }),
  bigint: (name: string, dflt?: number, opts?: ColumnOptions): ColumnSpec => ({
    name,
    kind: 'bigint',
    default: dflt,
    ...opts,
  }),
  tinyint: (name: string, dflt?: number, opts?: ColumnOptions): ColumnSpec => ({
    name,
    kind: 'tinyint',
    default: dflt,
    ...opts,
  }),
  double: (name: string, dflt?: number, opts?: ColumnOptions): ColumnSpec => ({
    name,
    kind: 'double',
    default: dflt,
    ...opts,
  }),
  /** DECIMAL(12,2): money. */
  money: (name: string, dflt?: number, opts?: ColumnOptions): ColumnSpec => ({
    name,
    kind: 'decimal',
    default: dflt,
    ...opts,
  }),
  varchar: (
    name: string,
    length: number,
    dflt?: string,
    opts?: ColumnOptions,
  ): ColumnSpec => ({
    name,
    kind: 'varchar',
    length,
    default: dflt,
    ...opts,
  }),
  /** TEXT never has a default: MySQL 8 refuses literal defaults on TEXT columns. */
  text: (name: string, opts?: ColumnOptions): ColumnSpec => ({
    name,
    kind: 'text',
    ...opts,
  }),
  datetime: (
    name: string,
    dflt?: string,
    opts?: ColumnOptions,
  ): ColumnSpec => ({
    name,
    kind: 'datetime',
    default: dflt,
    ...opts,
  }),
};

export const NULLABLE = { nullable: true } as const;
