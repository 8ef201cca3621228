import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Paylist } from '../../database/entities/index.js';

export const ORDER_UNPAID = 0;
export const ORDER_PAID = 1;
export const ORDER_EXPIRED = -1;

export type NewOrder = Pick<
  Paylist,
  'userid' | 'total' | 'tradeno' | 'datetime' | 'gateway'
>;

/** SQL of `paylist`: orders, the once-only paid transition and the expiry. */
@Injectable()
export class PaymentRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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

  findById(id: number, manager?: EntityManager): Promise<Paylist | null> {
    return this.repo(manager).findOne({ where: { id } });
  }

  findByTradeno(tradeno: string): Promise<Paylist | null> {
    return this.repo().findOne({ where: { tradeno } });
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
    const result = await manager
      .createQueryBuilder()
      .update(Paylist)
      .set({
        status: ORDER_PAID,
        paidAt: paid.paidAt,
        gateway: paid.gateway,
        callbackNo: paid.callbackNo,
      })
      .where('id = :id AND status IN (:...from)', {
        id: paid.id,
        from: [ORDER_UNPAID, ORDER_EXPIRED],
      })
      .execute();
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
