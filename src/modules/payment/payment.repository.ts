import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Paylist, PaymentCheckout } from '../../database/entities/index.js';
import {
  hydrator,
  poolQuery,
  queryIn,
  Quote,
  runStructured,
} from '../../database/raw-sql.js';
import {
  callbackOrderQuery,
  markPaidQuery,
  ORDER_COLUMNS,
  orderQuery,
} from './payment-sql.js';

export const ORDER_UNPAID = 0;
export const ORDER_PAID = 1;
export const ORDER_EXPIRED = -1;

export type NewOrder = Pick<
  Paylist,
  'userid' | 'total' | 'tradeno' | 'datetime' | 'gateway'
>;

export type NewCheckout = Omit<PaymentCheckout, 'id'>;

/** The order a callback names and the currency of its checkout (null: none recorded). */
export interface CallbackOrder {
  order: Paylist;
  checkoutCurrency: string | null;
}

/** An unpaid order reconciliation asks its gateway about. */
export interface ReconcileCandidate {
  order: Paylist;
  checkoutRef: string | null;
}

/** SQL of `paylist` (and its `payment_checkout`): orders, the once-only paid transition, the expiry. */
@Injectable()
export class PaymentRepository {
  private readonly q: Quote;

  private readonly hydrateOrder;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.q = (name) => dataSource.driver.escape(name);
    this.hydrateOrder = hydrator(
      dataSource,
      Paylist,
      Object.keys(ORDER_COLUMNS) as (keyof Paylist)[],
    );
  }

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(Paylist);
  }

  async insert(order: NewOrder, manager?: EntityManager): Promise<number> {
    const result = await this.repo(manager).insert({
      ...order,
      status: ORDER_UNPAID,
      paidAt: null,
      callbackNo: null,
    });
    return Number(result.identifiers[0].id);
  }

  async findById(id: number, manager?: EntityManager): Promise<Paylist | null> {
    const query = orderQuery(this.q, 'id', id);
    const [row] = manager
      ? await queryIn<Record<string, unknown>[]>(manager, query)
      : await poolQuery<Record<string, unknown>[]>(this.dataSource, query);
    return row ? this.toOrder(row) : null;
  }

  /** The order a callback names by `tradeno`, with its checkout's currency, in one read. */
  async findForCallback(tradeno: string): Promise<CallbackOrder | null> {
    const [row] = await poolQuery<Record<string, unknown>[]>(
      this.dataSource,
      callbackOrderQuery(this.q, tradeno),
    );
    if (!row) return null;
    const currency = row.checkoutCurrency;
    return {
      order: this.toOrder(row),
      checkoutCurrency: typeof currency === 'string' ? currency : null,
    };
  }

  private toOrder(row: Record<string, unknown>): Paylist {
    return Object.assign(new Paylist(), this.hydrateOrder(row));
  }

  /** The user's orders, newest first, and how many there are in all. */
  listForUser(
    userId: number,
    status: number | undefined,
    limit: number,
    offset: number,
  ): Promise<[Paylist[], number]> {
    return this.repo().findAndCount({
      where: { userid: userId, ...(status !== undefined && { status }) },
      order: { id: 'DESC' },
      take: limit,
      skip: offset,
    });
  }

  /** Every user's orders for operators, filtered, newest first, with the total count. */
  listAll(filter: {
    status?: number;
    userId?: number;
    gateway?: string;
    limit: number;
    offset: number;
  }): Promise<[Paylist[], number]> {
    return this.repo().findAndCount({
      where: {
        ...(filter.status !== undefined && { status: filter.status }),
        ...(filter.userId !== undefined && { userid: filter.userId }),
        ...(filter.gateway !== undefined && { gateway: filter.gateway }),
      },
      order: { id: 'DESC' },
      take: filter.limit,
      skip: filter.offset,
    });
  }

  /**
   * The once-only transition: `status = 1` only from unpaid (0) or expired (-1, money that
   * arrived late is still credited). False when the order was already paid (or is missing).
   */
  async markPaid(
    manager: EntityManager,
    paid: {
      id: number;
      gateway: string | null;
      callbackNo: string | null;
      paidAt: number;
    },
  ): Promise<boolean> {
    const { sql, params } = markPaidQuery(this.q, paid, ORDER_PAID, [
      ORDER_UNPAID,
      ORDER_EXPIRED,
    ]);
    const result = await runStructured(manager, sql, params);
    return (result.affected ?? 0) > 0;
  }

  /** Unpaid orders created before `cutoff` (unix) become expired; returns how many. */
  async expireUnpaid(cutoff: number): Promise<number> {
    const result = await this.dataSource.manager
      .createQueryBuilder()
      .update(Paylist)
      .set({ status: ORDER_EXPIRED })
      .where('status = :unpaid AND datetime < :cutoff', {
        unpaid: ORDER_UNPAID,
        cutoff,
      })
      .execute();
    return result.affected ?? 0;
  }

  /** The checkout a gateway started for the order; a second one for the same order is refused (UNIQUE). */
  async insertCheckout(checkout: NewCheckout): Promise<void> {
    await this.dataSource.manager
      .getRepository(PaymentCheckout)
      .insert(checkout);
  }

  findCheckout(orderId: number): Promise<PaymentCheckout | null> {
    return this.dataSource.manager
      .getRepository(PaymentCheckout)
      .findOne({ where: { paylistId: orderId } });
  }

  /**
   * Unpaid or expired orders of these gateways created at or after `since` (unix), oldest
   * first, with their checkout id when one was recorded.
   */
  async findReconcilable(
    gateways: string[],
    since: number,
    limit: number,
  ): Promise<ReconcileCandidate[]> {
    if (gateways.length === 0) return [];
    const rows = await this.repo()
      .createQueryBuilder('p')
      .leftJoin(PaymentCheckout, 'c', 'c.paylist_id = p.id')
      .addSelect('c.ref', 'checkout_ref')
      .where('p.status IN (:...from)', { from: [ORDER_UNPAID, ORDER_EXPIRED] })
      .andWhere('p.datetime >= :since', { since })
      .andWhere('p.gateway IN (:...gateways)', { gateways })
      .orderBy('p.id', 'ASC')
      .limit(limit)
      .getRawAndEntities();
    return rows.entities.map((order, i) => ({
      order,
      checkoutRef:
        (rows.raw[i] as { checkout_ref?: string | null }).checkout_ref ?? null,
    }));
  }

  countExpirable(cutoff: number): Promise<number> {
    return this.repo()
      .createQueryBuilder('p')
      .where('p.status = :unpaid AND p.datetime < :cutoff', {
        unpaid: ORDER_UNPAID,
        cutoff,
      })
      .getCount();
  }
}
