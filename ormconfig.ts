import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadDatabaseSettings } from './src/config/database.config.js';
import { buildDataSourceOptions } from './src/database/typeorm.options.js';

/**
 * The DataSource the TypeORM CLI uses (`npm run typeorm -- migration:show`), built by the same
 * function as the app's, from the same environment variables.
 */
export default new DataSource(buildDataSourceOptions(loadDatabaseSettings()));
