import { DataSource, QueryFailedError } from 'typeorm';
import {
  isDatabaseUnavailable,
  isUniqueViolation,
} from '../../src/database/db-errors.js';
import {
  poolQuery,
  poolTransaction,
  queryIn,
  runStructured,
} from '../../src/database/raw-sql.js';
import { itOnMysql } from '../utils/modes.js';
import {
  createScratchDatabase,
  type ScratchDatabase,
} from '../utils/test-database.js';

/**
 * poolQuery / poolTransaction: the hot paths' statements off TypeORM's query runner, with the
 * same results.
 */
describe('poolQuery and poolTransaction (e2e)', () => {
  let scratch: ScratchDatabase;
  let ds: DataSource;
  const logged: string[] = [];

  async function open(logging: boolean): Promise<DataSource> {
    return new DataSource({
      ...scratch.options,
      logging,
      logger: {
        logQuery: (sql: string) => void logged.push(sql),
        logQueryError: () => undefined,
        logQuerySlow: () => undefined,
        logSchemaBuild: () => undefined,
        logMigration: () => undefined,
        log: () => undefined,
      },
    } as typeof scratch.options).initialize();
  }

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    ds = await open(false);
    await ds.query(
      'CREATE TABLE pq (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL, big BIGINT NOT NULL)',
    );
    await ds.query(
      'INSERT INTO pq (id, name, big) VALUES (?, ?, ?), (?, ?, ?)',
      [1, 'one', 9_007_199_254_740_000, 2, 'two', 2],
    );
  });
  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await scratch?.drop();
  });

  it('returns the rows dataSource.query returns, parameters bound', async () => {
    const query = {
      sql: 'SELECT id, name, big FROM pq WHERE id >= ? ORDER BY id',
      params: [1],
    };
    const rows = await poolQuery<Record<string, unknown>[]>(ds, query);
    expect(rows).toEqual(await ds.query(query.sql, query.params));
    expect(rows.map((r) => r.name)).toEqual(['one', 'two']);
  });

  it('runs writes: the change is there for the next read', async () => {
    await poolQuery(ds, {
      sql: 'UPDATE pq SET name = ? WHERE id = ?',
      params: ['uno', 1],
    });
    expect(await ds.query('SELECT name FROM pq WHERE id = 1')).toEqual([
      { name: 'uno' },
    ]);
  });

  itOnMysql('reports the rows an UPDATE matched, as mysql2 does', async () => {
    const result = await poolQuery<{ affectedRows: number }>(ds, {
      sql: 'UPDATE pq SET big = big + 1 WHERE id >= ?',
      params: [1],
    });
    expect(result.affectedRows).toBe(2);
  });

  it('a bad statement fails as TypeORM fails it: QueryFailedError with the driver error', async () => {
    const failure = await poolQuery(ds, {
      sql: 'SELECT nope FROM pq',
      params: [],
    }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect((failure as QueryFailedError).query).toBe('SELECT nope FROM pq');
    // The driver's own error (better-sqlite3's comes from another realm: no instanceof).
    expect(String((failure as QueryFailedError).driverError?.message)).toMatch(
      /nope/,
    );
    expect(isDatabaseUnavailable(failure)).toBe(false);
  });

  it('with DB_LOGGING on, the statement goes through TypeORM and is logged', async () => {
    const loggingDs = await open(true);
    try {
      logged.length = 0;
      await poolQuery(loggingDs, {
        sql: 'SELECT id FROM pq WHERE id = ?',
        params: [2],
      });
      expect(logged).toContain('SELECT id FROM pq WHERE id = ?');
    } finally {
      await loggingDs.destroy();
    }
  });

  itOnMysql(
    'on a closed pool the failure reads as "database unavailable"',
    async () => {
      const closing = await open(false);
      await closing.destroy();
      const failure = await poolQuery(closing, {
        sql: 'SELECT 1',
        params: [],
      }).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(Error);
      expect(isDatabaseUnavailable(failure)).toBe(true);
    },
  );

  describe('queryIn / runStructured in a transaction', () => {
    it('return what manager.query returns, and the affected-row count', async () => {
      await ds.transaction(async (manager) => {
        const query = {
          sql: 'SELECT id, name, big FROM pq WHERE id >= ? ORDER BY id',
          params: [1],
        };
        expect(await queryIn(manager, query)).toEqual(
          await manager.query(query.sql, query.params),
        );
        const update = await runStructured(
          manager,
          'UPDATE pq SET big = big + 1 WHERE id >= ?',
          [1],
        );
        expect(update.affected).toBe(2);
      });
    });

    it('run inside the transaction: a rollback undoes them', async () => {
      const failure = await ds
        .transaction(async (manager) => {
          await runStructured(manager, 'UPDATE pq SET name = ? WHERE id = ?', [
            'gone',
            2,
          ]);
          const [row] = await queryIn<{ name: string }[]>(manager, {
            sql: 'SELECT name FROM pq WHERE id = ?',
            params: [2],
          });
          expect(row.name).toBe('gone');
          throw new Error('roll back');
        })
        .catch((err: unknown) => err);
      expect((failure as Error).message).toBe('roll back');
      expect(await ds.query('SELECT name FROM pq WHERE id = 2')).toEqual([
        { name: 'two' },
      ]);
    });

    it('a bad statement fails as QueryFailedError with the driver error', async () => {
      const failure = await ds
        .transaction((manager) =>
          queryIn(manager, { sql: 'SELECT nope FROM pq', params: [] }),
        )
        .catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(QueryFailedError);
      expect((failure as QueryFailedError).query).toBe('SELECT nope FROM pq');
    });

    it('with DB_LOGGING on, the statements go through TypeORM and are logged', async () => {
      const loggingDs = await open(true);
      try {
        logged.length = 0;
        await loggingDs.transaction(async (manager) => {
          await queryIn(manager, {
            sql: 'SELECT id FROM pq WHERE id = ?',
            params: [1],
          });
          await runStructured(
            manager,
            'UPDATE pq SET big = big WHERE id = ?',
            [1],
          );
        });
        expect(logged).toContain('SELECT id FROM pq WHERE id = ?');
        expect(logged).toContain('UPDATE pq SET big = big WHERE id = ?');
      } finally {
        await loggingDs.destroy();
      }
    });
  });

  it('poolTransaction commits its statements together, with rows and matched counts', async () => {
    const matched = await poolTransaction(ds, async (session) => {
      await session.query({
        sql: 'INSERT INTO pq (id, name, big) VALUES (?, ?, ?)',
        params: [10, 'ten', 10],
      });
      const rows = await session.query<{ name: string }[]>({
        sql: 'SELECT name FROM pq WHERE id = ?',
        params: [10],
      });
      expect(rows).toEqual([{ name: 'ten' }]);
      // Matched though unchanged (row 10 has this name already; 11 and 12 do not exist).
      return session.affected({
        sql: 'UPDATE pq SET name = ? WHERE id IN (?, ?, ?)',
        params: ['ten', 10, 11, 12],
      });
    });
    expect(matched).toBe(1);
    expect(await ds.query('SELECT name FROM pq WHERE id = 10')).toEqual([
      { name: 'ten' },
    ]);
  });

  it('poolTransaction rolls everything back on a failure and rethrows it as TypeORM would', async () => {
    const failure = await poolTransaction(ds, async (session) => {
      await session.query({
        sql: 'INSERT INTO pq (id, name, big) VALUES (?, ?, ?)',
        params: [20, 'twenty', 20],
      });
      // A duplicate key: the unique-violation checks must read it as they read TypeORM's.
      await session.query({
        sql: 'INSERT INTO pq (id, name, big) VALUES (?, ?, ?)',
        params: [1, 'dup', 1],
      });
    }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect(isUniqueViolation(failure)).toBe(true);
    expect(await ds.query('SELECT id FROM pq WHERE id = 20')).toEqual([]);
    // The connection went back clean: the next transaction commits.
    await poolTransaction(ds, (session) =>
      session.query({ sql: 'DELETE FROM pq WHERE id = ?', params: [10] }),
    );
    expect(await ds.query('SELECT id FROM pq WHERE id = 10')).toEqual([]);
  });
});
