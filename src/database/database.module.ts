import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { databaseConfig } from '../config/index.js';
import { buildDataSourceOptions, databaseKind } from './typeorm.options.js';
import { serializeSqliteAccess } from './sqlite-serializer.js';
import { prepareSqliteDirectory } from './sqlite.util.js';

/**
 * Migrations run automatically only in the embedded SQLite mode; on MySQL they are an explicit
 * step (`npm run migration:run`, the Kubernetes Job), never a side effect of starting a replica.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (settings: ConfigType<typeof databaseConfig>) => {
        const embedded = databaseKind(settings) === 'sqlite';
        if (embedded) prepareSqliteDirectory(settings.sqlitePath);
        return { ...buildDataSourceOptions(settings), migrationsRun: embedded };
      },
      dataSourceFactory: async (options?: DataSourceOptions) => {
        const dataSource = await new DataSource(
          options as DataSourceOptions,
        ).initialize();
        return options?.type === 'better-sqlite3'
          ? serializeSqliteAccess(dataSource)
          : dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
