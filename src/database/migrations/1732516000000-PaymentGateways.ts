import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  paymentCallbackTable,
  paymentCheckoutTable,
} from './schema/payment-tables.js';
import { adoptTable } from './schema/table-adopter.js';

/**
 * Additive: creates `payment_checkout` and `payment_callback` (our own tables) on MySQL and
 * SQLite alike; running it again changes nothing. Nothing existing is touched.
 */
export class PaymentGateways1732516000000 implements MigrationInterface {
  name = 'PaymentGateways1732516000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await adoptTable(queryRunner, paymentCheckoutTable);
    await adoptTable(queryRunner, paymentCallbackTable);
  }

  /** Both tables are ours: dropping them loses only the callback record and checkout ids. */
  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable(paymentCallbackTable.name, true);
    await queryRunner.dropTable(paymentCheckoutTable.name, true);
  }
}
