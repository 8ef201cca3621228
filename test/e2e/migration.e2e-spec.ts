import { DataSource, type QueryRunner, type TableColumn } from 'typeorm';
import { User } from '../../src/database/entities/index.js';
import { AdoptLegacySchema1732300000000 } from '../../src/database/migrations/1732300000000-AdoptLegacySchema.js';
import { moneyTransformer } from '../../src/database/transformers.js';
import {
  createScratchDatabase,
  type ScratchDatabase,
} from '../utils/test-database.js';
import { itOnMysql } from '../utils/modes.js';

/** data-model.md's table list, written out: the contract, not derived from the code. */
const TABLES = [
  'user',
  'ss_node',
  'shop',
  'bought',
  'coupon',
  'paylist',
  'payback',
  'code',
  'alive_ip',
  'blockip',
  'unblockip',
  'ss_node_info',
  'ss_node_online_log',
  'user_traffic_log',
  'detect_list',
  'detect_log',
  'user_money_log',
  'job_run',
  'traffic_report',
  'user_archive',
];
const OUR_TABLES = [
  'user_money_log',
  'job_run',
  'traffic_report',
  'user_archive',
];

const KEY_COLUMNS: Array<[string, string]> = [
  ['user', 'invite_code'],
  ['user', 'uuid'],
  ['user', 'class'],
  ['user', 'transfer_limit'],
  ['paylist', 'callback_no'],
  ['paylist', 'gateway'],
  ['paylist', 'paid_at'],
  ['payback', 'paylist_id'],
  ['payback', 'level'],
  ['coupon', 'total_limit'],
  ['ss_node', 'custom_config'],
  ['user_money_log', 'note'],
  ['traffic_report', 'report_key'],
];

const UUID_RE =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Everything that describes the schema of the contract's tables, in a comparable form. */
async function schemaSnapshot(qr: QueryRunner): Promise<unknown> {
  const tables = await qr.getTables(TABLES);
  return tables
    .map((t) => ({
      name: t.name,
      columns: t.columns
        .map((c) => [
          c.name,
          c.type,
          c.length,
          c.precision,
          c.scale,
          c.isNullable,
          c.default,
        ])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      indices: [...t.indices, ...t.uniques]
        .map((i) => `${i.name}:${[...i.columnNames].sort().join(',')}`)
        .sort(),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * TypeORM reads MariaDB's COLUMN_DEFAULT "NULL" (nullable, no default) as the literal 'NULL'
 * when the driver type is `mysql` rather than `mariadb`.
 */
function hasDatabaseDefault(column: TableColumn): boolean {
  const value: unknown = column.default;
  if (value === undefined || value === null) return false;
  return !(
    column.isNullable &&
    typeof value === 'string' &&
    /^'?NULL'?$/i.test(value)
  );
}

async function openDataSource(db: ScratchDatabase): Promise<DataSource> {
  return new DataSource(db.options).initialize();
}

async function findIndex(qr: QueryRunner, table: string, name: string) {
  const t = await qr.getTable(table);
  return [...(t?.indices ?? []), ...(t?.uniques ?? [])].find(
    (i) => i.name === name,
  );
}

describe('AdoptLegacySchema migration', () => {
  describe('on an empty database', () => {
    let db: ScratchDatabase;
    let ds: DataSource;
    let qr: QueryRunner;

    beforeAll(async () => {
      db = await createScratchDatabase();
      ds = await openDataSource(db);
      if (db.kind === 'mysql') {
        // Servers default to latin1 more often than not: the tables must not inherit it.
        await ds.query(
          'ALTER DATABASE CHARACTER SET latin1 COLLATE latin1_swedish_ci',
        );
      }
      await ds.runMigrations();
      qr = ds.createQueryRunner();
    });

    afterAll(async () => {
      await qr?.release();
      await ds?.destroy();
      await db?.drop();
    });

    it('creates every table of the data model', async () => {
      for (const table of TABLES) {
        expect([table, await qr.hasTable(table)]).toEqual([table, true]);
      }
    });

    it('creates the key added columns', async () => {
      for (const [table, column] of KEY_COLUMNS) {
        expect([table, column, await qr.hasColumn(table, column)]).toEqual([
          table,
          column,
          true,
        ]);
      }
    });

    it('creates the unique keys the code relies on', async () => {
      for (const [table, name] of [
        ['user', 'uq_user_email'],
        ['user', 'uq_user_invite_code'],
        ['user', 'uq_user_port'],
        ['coupon', 'uq_coupon_code'],
        ['paylist', 'uq_paylist_tradeno'],
        ['paylist', 'uq_paylist_gateway_callback'],
        ['payback', 'uq_payback_paylist_level'],
        ['traffic_report', 'uq_traffic_report_node_key'],
      ]) {
        const index = await findIndex(qr, table, name);
        expect([
          name,
          index && ('isUnique' in index ? index.isUnique : true),
        ]).toEqual([name, true]);
      }
    });

    it('maps every entity column onto the migrated schema', async () => {
      for (const metadata of ds.entityMetadatas) {
        const table = await qr.getTable(metadata.tableName);
        expect(table).toBeDefined();
        for (const column of metadata.columns) {
          const dbColumn = table!.findColumnByName(column.databaseName);
          const where = `${metadata.tableName}.${column.databaseName}`;
          expect([where, dbColumn !== undefined]).toEqual([where, true]);
          expect([where, dbColumn!.isNullable]).toEqual([
            where,
            column.isNullable,
          ]);
          // SQLite inserts the entity's default for unset properties (no DEFAULT keyword), so
          // the entity must declare exactly the defaults the schema has.
          if (!column.isPrimary) {
            expect([where, column.default !== undefined]).toEqual([
              where,
              hasDatabaseDefault(dbColumn!),
            ]);
          }
        }
      }
    });

    itOnMysql('creates InnoDB utf8mb4 tables on MySQL', async () => {
      expect(db.kind).toBe('mysql');
      const tables: Array<{
        TABLE_NAME: string;
        ENGINE: string;
        TABLE_COLLATION: string;
      }> = await qr.query(
        'SELECT TABLE_NAME, ENGINE, TABLE_COLLATION FROM information_schema.TABLES ' +
          'WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?)',
        [TABLES],
      );
      expect(tables).toHaveLength(TABLES.length);
      for (const t of tables) {
        expect([t.TABLE_NAME, t.ENGINE, t.TABLE_COLLATION]).toEqual([
          t.TABLE_NAME,
          'InnoDB',
          'utf8mb4_unicode_ci',
        ]);
      }
      const columns: Array<{ CHARACTER_SET_NAME: string }> = await qr.query(
        'SELECT DISTINCT CHARACTER_SET_NAME FROM information_schema.COLUMNS ' +
          'WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?) AND CHARACTER_SET_NAME IS NOT NULL',
        [TABLES],
      );
      expect(columns.map((c) => c.CHARACTER_SET_NAME)).toEqual(['utf8mb4']);
    });

    it('changes nothing when run again (runner, direct up(), lost migrations table)', async () => {
      const before = await schemaSnapshot(qr);

      expect(await ds.runMigrations()).toEqual([]);
      expect(await schemaSnapshot(qr)).toEqual(before);

      await new AdoptLegacySchema1732300000000().up(qr);
      expect(await schemaSnapshot(qr)).toEqual(before);

      await qr.query(`DELETE FROM ${ds.driver.escape('panel_migrations')}`);
      const rerun = await ds.runMigrations();
      // Every migration runs again (the adoption first) and each is a no-op on its own schema.
      expect(rerun.map((m) => m.name)).toEqual(
        ds.migrations.map((m) => m.name),
      );
      expect(rerun[0].name).toBe('AdoptLegacySchema1732300000000');
      expect(await schemaSnapshot(qr)).toEqual(before);
    });

    it('round-trips a User through the repository', async () => {
      const repo = ds.getRepository(User);
      const big = 2 ** 40 + 5; // beyond 32 bits: BIGINT must come back exact, as a number
      const saved = await repo.save(
        repo.create({
          userName: 'alice',
          email: 'alice@example.com',
          pass: '$2b$10$hash',
          passwd: 'ss-secret',
          port: 20001,
          money: '12.50',
          u: big,
          d: 7,
          transferEnable: 2 ** 41,
          regDate: new Date('2024-01-02T03:04:05Z'),
          theme: 'default',
          gaToken: '',
          inviteNum: 0,
        }),
      );
      expect(saved.id).toEqual(expect.any(Number));
      expect(saved.uuid).toMatch(UUID_RE);

      const read = await repo.findOneByOrFail({ id: saved.id });
      expect(read.money).toBe('12.50');
      expect(read.u).toBe(big);
      expect(read.d).toBe(7);
      expect(read.transferEnable).toBe(2 ** 41);
      expect(read.uuid).toBe(saved.uuid);
      expect(read.method).toBe('aes-256-gcm');
      expect(read.protocol).toBe('origin');
      expect(read.obfs).toBe('plain');
      expect(read.switch).toBe(1);
      expect(read.enable).toBe(1);
      expect(read.classLevel).toBe(0);
      expect(read.nodeSpeedlimit).toBe(0);
      expect(read.warming).toBeNull();
      expect(read.inviteCode).toBeNull();
      expect(read.regDate.toISOString()).toBe('2024-01-02T03:04:05.000Z');
      expect(read.expireIn).toBeInstanceOf(Date);

      // Money arithmetic in SQL keeps the string form.
      await repo.update({ id: saved.id }, { money: () => 'money + 0.75' });
      expect((await repo.findOneByOrFail({ id: saved.id })).money).toBe(
        '13.25',
      );
    });

    it('down() drops only our own tables; up() brings them back', async () => {
      const migration = new AdoptLegacySchema1732300000000();
      await migration.down(qr);
      for (const table of TABLES) {
        expect([table, await qr.hasTable(table)]).toEqual([
          table,
          !OUR_TABLES.includes(table),
        ]);
      }
      expect(await ds.getRepository(User).count()).toBe(1);
      await migration.up(qr);
      for (const table of TABLES) {
        expect([table, await qr.hasTable(table)]).toEqual([table, true]);
      }
    });
  });

  describe('on a legacy SSPanel database', () => {
    let db: ScratchDatabase;
    let ds: DataSource;
    let qr: QueryRunner;

    /** A legacy-style subset of SSPanel's `user`, as its PHP installer created it. */
    const LEGACY_USER: Array<[string, string]> = [
      ['user_name', 'varchar(128) NOT NULL'],
      ['email', 'varchar(32) NOT NULL'],
      ['pass', 'varchar(64) NOT NULL'],
      ['passwd', 'varchar(16) NOT NULL'],
      ['t', 'int(11) NOT NULL DEFAULT 0'],
      ['u', 'bigint(20) NOT NULL'],
      ['d', 'bigint(20) NOT NULL'],
      ['transfer_enable', 'bigint(20) NOT NULL'],
      ['port', 'int(11) NOT NULL'],
      ['switch', 'tinyint(4) NOT NULL DEFAULT 1'],
      ['enable', 'tinyint(4) NOT NULL DEFAULT 1'],
      ['reg_date', 'datetime NOT NULL'],
      ['invite_num', 'int(8) NOT NULL'],
      ['money', 'decimal(12,2) NOT NULL'],
      ['ref_by', 'int(11) NOT NULL DEFAULT 0'],
      ['method', "varchar(64) NOT NULL DEFAULT 'rc4-md5'"],
      ['node_speedlimit', 'decimal(12,2) NOT NULL DEFAULT 0.00'],
      ['class', 'int(11) NOT NULL DEFAULT 0'],
      ['class_expire', "datetime NOT NULL DEFAULT '1989-06-04 00:05:00'"],
      ['expire_in', "datetime NOT NULL DEFAULT '2099-06-04 00:05:00'"],
      ['theme', 'text NOT NULL'],
      ['ga_token', 'text NOT NULL'],
      ['node_group', 'int(11) NOT NULL DEFAULT 0'],
      ['im_value', 'text'], // a column Panel does not map
    ];
    const LEGACY_PAYLIST: Array<[string, string]> = [
      ['userid', 'bigint(20) NOT NULL'],
      ['total', 'decimal(12,2) NOT NULL'],
      ['status', 'int(11) NOT NULL DEFAULT 0'],
      ['tradeno', 'text'],
      ['datetime', 'bigint(20) NOT NULL DEFAULT 0'],
    ];

    /**
     * Identifiers quoted the way each engine's tools write them: TypeORM's SQLite table parser
     * finds the AUTOINCREMENT column by its double quotes (unquoted, AUTOINCREMENT would be lost
     * when SQLite copies the table to add columns).
     */
    function legacyTableDdl(
      kind: ScratchDatabase['kind'],
      name: string,
      columns: Array<[string, string]>,
    ): string {
      const mysql = kind === 'mysql';
      const quote = (id: string) => (mysql ? `\`${id}\`` : `"${id}"`);
      const id = mysql
        ? 'int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY'
        : 'INTEGER PRIMARY KEY AUTOINCREMENT';
      const defs = columns.map(([column, type]) => `${quote(column)} ${type}`);
      return (
        `CREATE TABLE ${quote(name)} (${quote('id')} ${id}, ${defs.join(', ')})` +
        (mysql ? ' ENGINE=InnoDB DEFAULT CHARSET=utf8' : '')
      );
    }

    const LEGACY_USER_INSERT =
      'INSERT INTO user (user_name, email, pass, passwd, u, d, transfer_enable, port, reg_date, ' +
      'invite_num, money, theme, ga_token, im_value) VALUES ' +
      "('old', 'old@example.com', 'md5hash', 'pw1', 1073741824, 5000000000000, 10737418240, 10000, " +
      "'2019-05-06 07:08:09', 3, 12.5, 'material', 'GA', 'tg:old'), " +
      // Legacy panels can hold duplicate ports: adoption must not fail on them.
      "('twin', 'twin@example.com', 'md5hash', 'pw2', 0, 0, 0, 10000, '2020-01-01 00:00:00', 0, " +
      "0, 'material', '', NULL)";

    async function userRows() {
      return qr.query('SELECT * FROM user ORDER BY id');
    }

    beforeAll(async () => {
      db = await createScratchDatabase();
      ds = await openDataSource(db);
      qr = ds.createQueryRunner();
      await qr.query(legacyTableDdl(db.kind, 'user', LEGACY_USER));
      await qr.query('CREATE UNIQUE INDEX legacy_user_email ON user (email)');
      await qr.query(legacyTableDdl(db.kind, 'paylist', LEGACY_PAYLIST));
      await qr.query(LEGACY_USER_INSERT);
      await qr.query(
        'INSERT INTO paylist (userid, total, status, tradeno, datetime) ' +
          "VALUES (1, 30.00, 1, 'legacy-trade-no-1', 1600000000)",
      );
      await ds.runMigrations();
    });

    afterAll(async () => {
      await qr?.release();
      await ds?.destroy();
      await db?.drop();
    });

    it('creates the missing tables and adds the missing columns', async () => {
      for (const table of TABLES) {
        expect([table, await qr.hasTable(table)]).toEqual([table, true]);
      }
      for (const column of [
        'invite_code',
        'uuid',
        'transfer_limit',
        'warming',
        'score',
        'obfs',
      ]) {
        expect([column, await qr.hasColumn('user', column)]).toEqual([
          column,
          true,
        ]);
      }
      for (const column of ['gateway', 'paid_at', 'callback_no']) {
        expect([column, await qr.hasColumn('paylist', column)]).toEqual([
          column,
          true,
        ]);
      }
    });

    it('keeps the legacy rows, values and column types', async () => {
      const [old, twin] = await userRows();
      expect(old).toMatchObject({
        id: 1,
        email: 'old@example.com',
        pass: 'md5hash',
        method: 'rc4-md5', // the legacy default stays; ours applies to new tables only
        theme: 'material',
        im_value: 'tg:old', // an unmapped legacy column survives
        invite_num: 3,
        port: 10000,
      });
      expect(Number(old.u)).toBe(1073741824);
      expect(Number(old.d)).toBe(5000000000000);
      expect(moneyTransformer.from(old.money)).toBe('12.50');
      expect(old.invite_code).toBeNull();
      expect(old.uuid).toMatch(UUID_RE);
      expect(twin.uuid).toMatch(UUID_RE);
      expect(twin.uuid).not.toBe(old.uuid);

      const user = await qr.getTable('user');
      expect(user!.findColumnByName('id')).toMatchObject({
        isPrimary: true,
        isGenerated: true,
      });
      expect(user!.findColumnByName('email')).toMatchObject({
        type: 'varchar',
        length: '32',
      });
      expect(user!.findColumnByName('theme')!.type).toBe('text');
      expect(user!.findColumnByName('node_speedlimit')!.type).toBe('decimal');

      const paylist = await qr.getTable('paylist');
      expect(paylist!.findColumnByName('tradeno')!.type).toBe('text');
      const [order] = await qr.query('SELECT * FROM paylist');
      expect(order).toMatchObject({ tradeno: 'legacy-trade-no-1', status: 1 });
      expect(order.gateway).toBeNull();
      expect(order.callback_no).toBeNull();
    });

    it('indexes adopted tables without imposing keys legacy data may violate', async () => {
      const port = await findIndex(qr, 'user', 'uq_user_port');
      expect(port).toBeDefined();
      expect((port as { isUnique?: boolean }).isUnique ?? false).toBe(false); // two users share 10000
      expect(await findIndex(qr, 'user', 'uq_user_invite_code')).toMatchObject({
        isUnique: true,
      });
      expect(await findIndex(qr, 'user', 'uq_user_email')).toBeUndefined(); // the legacy key covers it
      expect(
        await findIndex(qr, 'paylist', 'uq_paylist_tradeno'),
      ).toBeUndefined(); // TEXT, fresh only
      expect(
        await findIndex(qr, 'paylist', 'uq_paylist_gateway_callback'),
      ).toMatchObject({
        isUnique: true,
      });
    });

    it('changes nothing when run again', async () => {
      const schema = await schemaSnapshot(qr);
      const rows = await userRows();
      expect(await ds.runMigrations()).toEqual([]);
      await new AdoptLegacySchema1732300000000().up(qr);
      expect(await schemaSnapshot(qr)).toEqual(schema);
      expect(await userRows()).toEqual(rows);
    });

    it('reads and writes legacy rows through the entities', async () => {
      const repo = ds.getRepository(User);
      const old = await repo.findOneByOrFail({ email: 'old@example.com' });
      expect(old.money).toBe('12.50');
      expect(old.u).toBe(1073741824);
      expect(old.d).toBe(5000000000000);
      expect(old.nodeSpeedlimit).toBe(0); // legacy DECIMAL read as a number
      expect(old.classExpire).toBeInstanceOf(Date);

      // An insert that sets every legacy NOT NULL column works in strict mode.
      // Legacy SSPanel declares u, d, transfer_enable and money NOT NULL without a default too.
      const created = await repo.save(
        repo.create({
          u: 0,
          d: 0,
          transferEnable: 0,
          money: '0',
          userName: 'new',
          email: 'new@example.com',
          pass: 'hash',
          passwd: 'pw3',
          port: 10001,
          regDate: new Date(),
          theme: 'default',
          gaToken: '',
          inviteNum: 0,
          inviteCode: 'INV-NEW',
        }),
      );
      const read = await repo.findOneByOrFail({ id: created.id });
      expect(read).toMatchObject({
        money: '0.00',
        u: 0,
        inviteCode: 'INV-NEW',
      });
      expect(read.uuid).toMatch(UUID_RE);
    });
  });
});
