import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager } from 'typeorm';

/**
 * The embedded SQLite mode has ONE connection (TypeORM's better-sqlite3 driver shares a single
 * query runner). Two concurrent `transaction()` calls would nest on it ("cannot start a
 * transaction within a transaction"), and a plain query issued while another request's
 * transaction is open would silently join that transaction (and roll back with it).
 *
 * So in this mode every transaction runs under one async mutex, and every statement outside a
 * transaction waits for it too. Code inside the transaction (tracked with AsyncLocalStorage)
 * passes straight through. SQLite serialises writers anyway; this makes the serialisation
 * explicit and safe. MySQL is untouched: it has a pool and real row locks.
 */
class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

const insideTransaction = new AsyncLocalStorage<true>();

export function serializeSqliteAccess(dataSource: DataSource): DataSource {
  const mutex = new AsyncMutex();
  const runner = dataSource.createQueryRunner();
  const query = runner.query.bind(runner) as (
    ...args: unknown[]
  ) => Promise<unknown>;
  runner.query = ((...args: unknown[]) =>
    insideTransaction.getStore()
      ? query(...args)
      : mutex.run(() => query(...args))) as typeof runner.query;

  const manager = dataSource.manager;
  const transaction = manager.transaction.bind(manager) as (
    ...args: unknown[]
  ) => Promise<unknown>;
  manager.transaction = ((...args: unknown[]) =>
    insideTransaction.getStore()
      ? transaction(...args)
      : mutex.run(() =>
          insideTransaction.run(true, () => transaction(...args)),
        )) as EntityManager['transaction'];
  return dataSource;
}
