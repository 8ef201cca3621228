import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { notFound } from '../../common/errors/common.exception.js';
import {
  USERS_ENTITLEMENTS_CHANGED,
  UsersEntitlementsChangedEvent,
} from '../../common/events/domain-events.js';
import { centsToNumber, formatCents, toCents } from '../../common/money.js';
import { unixNow } from '../../common/time.js';
import { Coupon, Shop } from '../../database/entities/index.js';
import { isTransientLockError } from '../../database/db-errors.js';
import { retrying } from '../../database/retry.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { CouponRepository } from './coupon.repository.js';
import { PurchaseResultDto } from './dto/shop-response.dto.js';
import { parsePlanContent } from './plan-content.js';
import {
  decidePurchase,
  PurchaseCoupon,
  PurchaseOutcome,
  PurchasePlan,
} from './purchase-rules.js';
import { ShopErrorCode, ShopException } from './shop.exception.js';
import { ShopRepository } from './shop.repository.js';

export interface PurchaseCommand {
  userId: number;
  shopId: number;
  couponCode?: string;
  autoRenew: boolean;
  allowDowngrade: boolean;
  now: Date;
  /** A renewal also renews a plan taken off sale: subscribers keep what they bought. */
  renewal?: boolean;
}

/** A MySQL deadlock or lock-wait timeout rolls the whole purchase back; it is simply rerun. */
const ATTEMPTS = 3;

/**
 * Buying a plan (docs/spec/shop.md, rules 1–8): everything from the coupon check to the ledger row happens
 * in ONE transaction, so a purchase is applied completely or not at all.
 */
@Injectable()
export class ShopPurchaseService {
  private readonly logger = new Logger(ShopPurchaseService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly shops: ShopRepository,
    private readonly coupons: CouponRepository,
    private readonly ledger: LedgerService,
    private readonly events: EventEmitter2,
  ) {}

  /**
   * Buys a plan with the user's balance. The plan is read and checked before the transaction:
   * it needs no lock, and every statement between the purchaser's row lock and the commit is
   * time the next purchase of that user (and the pooled connection) waits.
   */
  async purchase(cmd: PurchaseCommand): Promise<PurchaseResultDto> {
    const plan = this.toPurchasePlan(
      await this.shops.findPlan(cmd.shopId),
      cmd.renewal ?? false,
    );
    const result = await retrying(
      { attempts: ATTEMPTS, retryOn: isTransientLockError },
      () =>
        this.dataSource.transaction((manager) =>
          this.purchaseInTransaction(manager, cmd, plan),
        ),
    );
    await this.refreshNodeLists([cmd.userId]);
    return result;
  }

  /**
   * After a committed purchase or renewal: the user's level, quota or limits changed, which is
   * announced so the nodes' cached user lists are dropped. Best effort: the purchase stands if
   * a listener fails, and NODE_USERS_CACHE_TTL_S bounds how long nodes serve the old state.
   */
  async refreshNodeLists(userIds?: number[]): Promise<void> {
    try {
      await this.events.emitAsync(
        USERS_ENTITLEMENTS_CHANGED,
        new UsersEntitlementsChangedEvent(userIds),
      );
    } catch (err) {
      this.logger.warn({ err }, 'could not drop the node user-list cache');
    }
  }

  /**
   * The purchase inside the caller's transaction (the renewal job brings its own); `readPlan` is
   * the plan of `cmd.shopId` already read and checked, else it is read here.
   */
  async purchaseInTransaction(
    manager: EntityManager,
    cmd: PurchaseCommand,
    readPlan?: PurchasePlan,
  ): Promise<PurchaseResultDto> {
    // First statement: serialises this user's purchases (see lockPurchaser).
    const user = await this.shops.lockPurchaser(manager, cmd.userId);
    if (!user) throw notFound('User');
    const plan =
      readPlan ??
      this.toPurchasePlan(
        await this.shops.findPlan(cmd.shopId, manager),
        cmd.renewal ?? false,
      );
    const coupon = cmd.couponCode
      ? await this.findCoupon(manager, cmd.userId, cmd.couponCode)
      : null;
    const outcome = decidePurchase({
      user,
      plan,
      coupon: coupon?.terms ?? null,
      now: cmd.now,
      allowDowngrade: cmd.allowDowngrade,
      autoRenew: cmd.autoRenew,
    });
    if (user.moneyCents < outcome.priceCents)
      throw insufficient(outcome.priceCents, user.moneyCents);

    const boughtId = await this.shops.insertBought(manager, {
      userid: cmd.userId,
      shopid: plan.id,
      datetime: unixNow(cmd.now),
      renew: outcome.renewAt,
      coupon: coupon?.row.code ?? '',
      price: formatCents(outcome.priceCents),
    });
    const balanceCents = await this.debit(
      manager,
      cmd.userId,
      boughtId,
      outcome,
      user.moneyCents,
    );
    if (coupon && !(await this.coupons.countUse(manager, coupon.row.id)))
      throw new ShopException(
        ShopErrorCode.COUPON_USED_UP,
        `Coupon ${coupon.row.code} has been used up`,
      );
    const transferEnable = await this.shops.applyOutcome(
      manager,
      cmd.userId,
      outcome,
    );
    return {
      user_id: cmd.userId,
      shop_id: plan.id,
      shop_name: plan.name,
      bought_id: boughtId,
      price: centsToNumber(outcome.priceCents),
      new_balance: centsToNumber(balanceCents),
      new_class: outcome.classLevel,
      new_class_expire: toIso(outcome.classExpire),
      new_expire_in: toIso(outcome.expireIn),
      new_transfer_enable: transferEnable,
      traffic_added_gb: plan.content.trafficGb ?? 0,
      traffic_reset: outcome.quota.mode === 'reset',
      renew: outcome.renewAt,
    };
  }

  /**
   * The conditional atomic debit (`money >= price`) plus its ledger row; the balance after it.
   * The balance was checked under the row lock already; the guard makes double spending
   * impossible even so. The lock also makes the balance after the debit exactly the locked
   * one minus the price, so it is not read back (one statement less under the lock).
   */
  private async debit(
    manager: EntityManager,
    userId: number,
    boughtId: number,
    outcome: PurchaseOutcome,
    moneyCents: number,
  ): Promise<number> {
    if (outcome.priceCents === 0) return moneyCents; // a 100 % coupon moves no money
    const applied = await this.ledger.applyBalanceChange(manager, {
      userId,
      amountCents: -outcome.priceCents,
      reason: 'purchase',
      refType: 'bought',
      refId: boughtId,
      requireFunds: true,
    });
    if (!applied) throw insufficient(outcome.priceCents, moneyCents);
    return moneyCents - outcome.priceCents;
  }

  private toPurchasePlan(shop: Shop | null, renewal: boolean): PurchasePlan {
    if (!shop)
      throw new ShopException(ShopErrorCode.SHOP_NOT_FOUND, 'Plan not found');
    if (Number(shop.status) !== 1 && !renewal)
      throw new ShopException(
        ShopErrorCode.SHOP_NOT_AVAILABLE,
        `Plan ${shop.id} is not on sale`,
      );
    const content = parsePlanContent(
      shop.content,
      Boolean(Number(shop.autoResetBandwidth)),
    );
    if (!content)
      throw new ShopException(
        ShopErrorCode.SHOP_NOT_AVAILABLE,
        `Plan ${shop.id} has invalid content and cannot be bought`,
      );
    return {
      id: shop.id,
      name: shop.name,
      priceCents: toCents(shop.price),
      autoRenewDays: shop.autoRenew,
      content,
    };
  }

  /**
   * The per-user `onetime` count comes from this user's `bought` rows with the code, read after
   * lockPurchaser: a concurrent purchase by the same user either committed before we got the
   * lock (its row is counted) or waits for ours. The total is enforced by the conditional
   * `used < total_limit` update, which holds across users.
   */
  private async findCoupon(
    manager: EntityManager,
    userId: number,
    code: string,
  ): Promise<{ row: Coupon; terms: PurchaseCoupon } | null> {
    const row = await this.coupons.findByCode(code, manager);
    if (!row)
      throw new ShopException(
        ShopErrorCode.COUPON_NOT_FOUND,
        `Coupon ${code} does not exist`,
      );
    const usedByUser = await this.shops.countCouponUses(
      manager,
      userId,
      row.code,
    );
    return {
      row,
      terms: {
        code: row.code,
        credit: row.credit,
        expire: row.expire,
        shopIds: parseShopIds(row.shop),
        onetime: row.onetime,
        totalLimit: row.totalLimit,
        used: row.used,
        usedByUser,
      },
    };
  }
}

/**
 * `coupon.shop`: comma-separated plan ids, '' = every plan. A non-empty list with no readable id
 * (legacy data) applies to no plan rather than to all of them.
 */
export function parseShopIds(text: string | null): number[] {
  const parts = (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const ids = parts.filter((s) => /^\d+$/.test(s)).map(Number);
  return parts.length > 0 && ids.length === 0 ? [0] : ids;
}

function insufficient(needCents: number, haveCents: number): ShopException {
  return new ShopException(
    ShopErrorCode.INSUFFICIENT_BALANCE,
    `Insufficient balance: ${formatCents(needCents)} needed, ${formatCents(haveCents)} available`,
  );
}

function toIso(date: Date): string {
  const d = date instanceof Date ? date : new Date(date);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}
