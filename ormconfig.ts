/**
 * TypeORM CLI DataSource (`npm run typeorm -- migration:show`). The definition lives in
 * src/database/data-source.ts so that it is compiled with the app and runs from the image.
 */
export { default } from './src/database/data-source.js';
