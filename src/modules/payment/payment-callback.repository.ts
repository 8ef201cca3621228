import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PaymentCallback } from '../../database/entities/index.js';
import { pruneOlderThan } from '../../database/prune.js';
import { poolQuery, type Quote } from '../../database/raw-sql.js';
import { insertCallbackQuery } from './payment-sql.js';

export type NewCallbackRecord = Omit<PaymentCallback, 'id'>;

export interface CallbackFilter {
  gateway?: string;
  outcome?: string;
  orderId?: number;
  limit: number;
  offset: number;
}

/** SQL of `payment_callback`: one row per callback attempt, listed for operators. */
@Injectable()
export class PaymentCallbackRepository {
  private readonly q: Quote;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.q = (name) => dataSource.driver.escape(name);
  }

  private repo() {
    return this.dataSource.manager.getRepository(PaymentCallback);
  }

  async insert(record: NewCallbackRecord): Promise<void> {
    await poolQuery(this.dataSource, insertCallbackQuery(this.q, record));
  }

  /** Newest first, with the total count of the filter. */
  list(filter: CallbackFilter): Promise<[PaymentCallback[], number]> {
    return this.repo().findAndCount({
      where: {
        ...(filter.gateway !== undefined && { gateway: filter.gateway }),
        ...(filter.outcome !== undefined && { outcome: filter.outcome }),
        ...(filter.orderId !== undefined && { paylistId: filter.orderId }),
      },
      order: { id: 'DESC' },
      take: filter.limit,
      skip: filter.offset,
    });
  }

  /** Deletes (or counts) records created before `beforeS`, in id ranges of `batch`. */
  pruneOlderThan(
    beforeS: number,
    batch: number,
    dryRun: boolean,
  ): Promise<number> {
    return pruneOlderThan(
      this.dataSource.manager,
      { table: 'payment_callback', timeColumn: 'created_at' },
      beforeS,
      batch,
      dryRun,
    );
  }
}
