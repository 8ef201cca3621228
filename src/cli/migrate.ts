import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadDatabaseSettings } from '../config/database.config.js';
import { prepareSqliteDirectory } from '../database/sqlite.util.js';
import {
  buildDataSourceOptions,
  databaseKind,
} from '../database/typeorm.options.js';
import { loadCliEnvironment, runCli } from './cli.util.js';

/** `npm run migration:run`: applies pending migrations (the explicit production step). */
runCli(async () => {
  loadCliEnvironment();
  const settings = loadDatabaseSettings();
  if (databaseKind(settings) === 'sqlite')
    prepareSqliteDirectory(settings.sqlitePath);
  const dataSource = await new DataSource(
    buildDataSourceOptions(settings),
  ).initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    console.log(
      applied.length === 0
        ? 'migrations: nothing to apply, the schema is up to date'
        : `migrations: applied ${applied.map((m) => m.name).join(', ')}`,
    );
  } finally {
    await dataSource.destroy();
  }
});
