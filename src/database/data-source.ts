import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadDatabaseSettings } from '../config/database.config.js';
import { buildDataSourceOptions } from './typeorm.options.js';

/**
 * The DataSource the TypeORM CLI uses, built by the same function as the app's from the same
 * environment. Compiled with the app (`dist/database/data-source.js`) because ts-node's ESM
 * loader cannot resolve Nest 12's ESM packages; `ormconfig.ts` at the root re-exports it.
 */
export default new DataSource(buildDataSourceOptions(loadDatabaseSettings()));
