import { DataSource } from 'typeorm';
import { ALL_MIGRATIONS } from '../../src/database/migrations/index.js';
import { SubscriptionLink1732400000000 } from '../../src/database/migrations/1732400000000-SubscriptionLink.js';
import {
  createScratchDatabase,
  type ScratchDatabase,
} from '../utils/test-database.js';

/** SSPanel's own `link` DDL (TEXT token and address), as adopted databases hold it. */
const LEGACY_LINK = {
  mysql:
    'CREATE TABLE `link` (`id` int(11) NOT NULL AUTO_INCREMENT, `type` int(11) NOT NULL, ' +
    '`address` text NOT NULL, `port` int(11) NOT NULL, `token` text NOT NULL, ' +
    "`ios` int(11) NOT NULL DEFAULT '0', `userid` bigint(20) NOT NULL, `isp` text, " +
    '`geo` int(11) DEFAULT NULL, `method` text, PRIMARY KEY (`id`)) ENGINE=InnoDB',
  sqlite:
    'CREATE TABLE "link" ("id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "type" INTEGER NOT NULL, ' +
    '"address" TEXT NOT NULL, "port" INTEGER NOT NULL, "token" TEXT NOT NULL, ' +
    '"ios" INTEGER NOT NULL DEFAULT 0, "userid" BIGINT NOT NULL, "isp" TEXT, "geo" INTEGER, "method" TEXT)',
};

describe('migration: the link table (e2e)', () => {
  let scratch: ScratchDatabase;
  let ds: DataSource;

  afterEach(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await scratch?.drop();
  });

  async function open(): Promise<DataSource> {
    scratch = await createScratchDatabase();
    ds = await new DataSource({
      ...scratch.options,
      migrations: ALL_MIGRATIONS,
    } as typeof scratch.options).initialize();
    return ds;
  }

  it('on an empty database: creates link with the token unique and (userid, type) indexed', async () => {
    await (await open()).runMigrations({ transaction: 'each' });
    const qr = ds.createQueryRunner();
    try {
      const table = await qr.getTable('link');
      expect(table?.columns.map((c) => c.name).sort()).toEqual([
        'address',
        'geo',
        'id',
        'ios',
        'isp',
        'method',
        'port',
        'token',
        'type',
        'userid',
      ]);
      const indices = table?.indices.map((i) => ({
        columns: [...i.columnNames].sort(),
        unique: i.isUnique,
      }));
      expect(indices).toEqual(
        expect.arrayContaining([
          { columns: ['token'], unique: true },
          { columns: ['type', 'userid'], unique: false },
        ]),
      );
    } finally {
      await qr.release();
    }
  });

  it("adopts SSPanel's link table: rows, TEXT columns and other link types kept; runs again harmlessly", async () => {
    await open();
    await ds.query(LEGACY_LINK[scratch.kind]);
    await ds.query(
      "INSERT INTO link (type, address, port, token, ios, userid) VALUES (11, '', 0, 'legacyToken00001', 0, 7), (1, 'a', 443, 'x', 0, 7), (1, 'b', 443, 'x', 0, 7)",
    );
    await ds.runMigrations({ transaction: 'each' });
    const rows: { type: number; token: string; userid: number }[] =
      await ds.query('SELECT type, token, userid FROM link ORDER BY id');
    expect(
      rows.map((r) => [Number(r.type), r.token, Number(r.userid)]),
    ).toEqual([
      [11, 'legacyToken00001', 7],
      [1, 'x', 7],
      [1, 'x', 7],
    ]);
    const qr = ds.createQueryRunner();
    try {
      const table = await qr.getTable('link');
      expect(table?.findColumnByName('token')?.type.toLowerCase()).toBe('text');
      expect(
        table?.indices.some(
          (i) => [...i.columnNames].sort().join() === 'type,userid',
        ),
      ).toBe(true);
      await new SubscriptionLink1732400000000().up(qr);
      expect((await qr.getTable('link'))?.indices.length).toBe(
        table?.indices.length,
      );
    } finally {
      await qr.release();
    }
  });
});
