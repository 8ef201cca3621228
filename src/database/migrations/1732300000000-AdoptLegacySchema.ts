import type { MigrationInterface, QueryRunner } from 'typeorm';
import { LEGACY_TABLES } from './schema/legacy-tables.js';
import { adoptTable } from './schema/table-adopter.js';

/**
 * Creates or adopts every table of docs/spec/data-model.md. On an empty database it creates everything;
 * on a legacy SSPanel database it only adds what is missing (tables, columns, indices) and
 * never drops, renames or retypes. Idempotent even without the migrations table, so a run
 * interrupted on MySQL (where DDL commits implicitly) is finished by running it again.
 */
export class AdoptLegacySchema1732300000000 implements MigrationInterface {
  name = 'AdoptLegacySchema1732300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const spec of LEGACY_TABLES) {
      await adoptTable(queryRunner, spec);
    }
  }

  /** Drops only our own tables (user_money_log, job_run, ...); legacy tables and data stay. */
  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const spec of [...LEGACY_TABLES].reverse()) {
      if (spec.ours) await queryRunner.dropTable(spec.name, true);
    }
  }
}
