import type { MigrationInterface, QueryRunner } from 'typeorm';
import { linkTable } from './schema/subscription-tables.js';
import { adoptTable } from './schema/table-adopter.js';

/**
 * Creates or adopts SSPanel's `link` table (subscription tokens, `type = 11`). Additive only:
 * an existing table gets the missing columns and indices and keeps its rows and types.
 */
export class SubscriptionLink1732400000000 implements MigrationInterface {
  name = 'SubscriptionLink1732400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await adoptTable(queryRunner, linkTable);
  }

  /** `link` is a legacy table: it and its tokens stay. */
  public async down(): Promise<void> {}
}
