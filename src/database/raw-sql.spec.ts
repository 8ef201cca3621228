import { QueryResult } from 'typeorm';
import { insertedId } from './raw-sql.js';

const result = (raw: unknown) => Object.assign(new QueryResult(), { raw });

describe('insertedId', () => {
  it('reads mysql2 insertId', () => {
    expect(insertedId(result({ insertId: 42, affectedRows: 1 }))).toBe(42);
  });

  it('reads better-sqlite3 lastInsertRowid, number or bigint', () => {
    expect(insertedId(result(43))).toBe(43);
    expect(insertedId(result(44n))).toBe(44);
  });

  it('refuses a result without an id', () => {
    expect(() => insertedId(result(undefined))).toThrow(/no generated id/);
  });
});
