import { mulDivRoundHalfUp } from '../../common/money.js';
import { DAY_S, unixNow } from '../../common/time.js';
import { ShopErrorCode, ShopException } from './shop.exception.js';

export const GB = 1024 ** 3;

/** A plan's parsed content (docs/spec/shop.md); null = the plan does not touch that part. */
export interface PlanContent {
  trafficGb: number | null;
  resetTraffic: boolean;
  classLevel: number | null;
  classExpireDays: number;
  expireInDays: number | null;
  speedlimit: number | null;
  connector: number | null;
}

export interface PurchasePlan {
  id: number;
  name: string;
  priceCents: number;
  /** Days between renewals, 0 = the plan does not renew. */
  autoRenewDays: number;
  content: PlanContent;
}

/** The user's columns the rules read, as the transaction sees them under the row lock. */
export interface PurchaseUser {
  classLevel: number;
  classExpire: Date;
  expireIn: Date;
}

export interface PurchaseCoupon {
  code: string;
  /** Percent off, 0–100. */
  credit: number;
  /** Unix expiry. */
  expire: number;
  /** Plan ids it applies to; empty = all plans. */
  shopIds: number[];
  /** Uses per user, 0 = unlimited. */
  onetime: number;
  /** Total uses, 0 = unlimited. */
  totalLimit: number;
  used: number;
  /** This user's earlier purchases with this code. */
  usedByUser: number;
}

export interface PurchaseRequest {
  user: PurchaseUser;
  plan: PurchasePlan;
  coupon: PurchaseCoupon | null;
  now: Date;
  allowDowngrade: boolean;
  /** The user asked for auto-renew (renewals always do). */
  autoRenew: boolean;
}

export type QuotaChange =
  | { mode: 'none' }
  | { mode: 'reset'; bytes: number }
  | { mode: 'add'; bytes: number };

/** What a purchase does to the account; applied by ShopPurchaseService in one transaction. */
export interface PurchaseOutcome {
  priceCents: number;
  classLevel: number;
  classExpire: Date;
  expireIn: Date;
  quota: QuotaChange;
  speedlimit: number | null;
  connector: number | null;
  /** `bought.renew`: unix time of the next renewal, 0 = none. */
  renewAt: number;
}

/**
 * `price × (100 − credit) / 100`, rounded half-up to a cent, clamped to [0, price]: whatever a
 * row says, a purchase never credits the buyer nor charges above the plan's price.
 */
export function discountedPriceCents(
  priceCents: number,
  credit: number,
): number {
  const discounted = mulDivRoundHalfUp(priceCents, 100 - credit, 100);
  return Math.min(priceCents, Math.max(0, discounted));
}

/**
 * The purchase rules of docs/spec/shop.md as a pure function of (user, plan, coupon, now): throws a
 * ShopException for a coupon that does not apply or a refused downgrade, else the new state.
 * Times are whole seconds: DATETIME columns keep no fraction (MariaDB truncates, MySQL rounds).
 */
export function decidePurchase(req: PurchaseRequest): PurchaseOutcome {
  const { user, plan, coupon } = req;
  if (!Number.isSafeInteger(plan.priceCents) || plan.priceCents < 0) {
    throw new ShopException(
      ShopErrorCode.PLAN_PRICE_INVALID,
      `Plan ${plan.id} has a negative or unreadable price and cannot be bought; an operator must fix it`,
    );
  }
  const nowS = unixNow(req.now);
  const priceCents = coupon
    ? discountedPriceCents(plan.priceCents, checkCoupon(coupon, plan.id, nowS))
    : plan.priceCents;
  const content = plan.content;
  const level = decideLevel(user, content, nowS, req.allowDowngrade);
  return {
    priceCents,
    ...level,
    expireIn:
      content.expireInDays === null
        ? user.expireIn
        : atUnix(
            Math.max(nowS, unixOf(user.expireIn)) +
              content.expireInDays * DAY_S,
          ),
    quota: decideQuota(content),
    speedlimit: content.speedlimit,
    connector: content.connector,
    renewAt:
      req.autoRenew && plan.autoRenewDays > 0
        ? nowS + plan.autoRenewDays * DAY_S
        : 0,
  };
}

/** The coupon's percent off, or the reason it cannot be used. */
function checkCoupon(c: PurchaseCoupon, planId: number, nowS: number): number {
  const fail = (code: ShopErrorCode, msg: string): never => {
    throw new ShopException(code, msg);
  };
  if (!Number.isInteger(c.credit) || c.credit < 0 || c.credit > 100)
    fail(
      ShopErrorCode.COUPON_INVALID,
      `Coupon ${c.code} has a discount outside 0-100 % and cannot be used; an operator must fix it`,
    );
  if (c.expire < nowS)
    fail(ShopErrorCode.COUPON_EXPIRED, `Coupon ${c.code} has expired`);
  if (c.shopIds.length > 0 && !c.shopIds.includes(planId))
    fail(
      ShopErrorCode.COUPON_NOT_APPLICABLE,
      `Coupon ${c.code} does not apply to this plan`,
    );
  if (c.onetime > 0 && c.usedByUser >= c.onetime)
    fail(
      ShopErrorCode.COUPON_LIMIT_REACHED,
      `Coupon ${c.code} may be used ${c.onetime} time(s) per user`,
    );
  if (c.totalLimit > 0 && c.used >= c.totalLimit)
    fail(ShopErrorCode.COUPON_USED_UP, `Coupon ${c.code} has been used up`);
  return c.credit;
}

function decideLevel(
  user: PurchaseUser,
  content: PlanContent,
  nowS: number,
  allowDowngrade: boolean,
): Pick<PurchaseOutcome, 'classLevel' | 'classExpire'> {
  if (content.classLevel === null)
    return { classLevel: user.classLevel, classExpire: user.classExpire };
  const days = content.classExpireDays * DAY_S;
  const currentEnd = unixOf(user.classExpire);
  const active = currentEnd > nowS;
  if (active && content.classLevel === user.classLevel)
    return {
      classLevel: user.classLevel,
      classExpire: atUnix(currentEnd + days),
    };
  if (active && content.classLevel < user.classLevel && !allowDowngrade) {
    throw new ShopException(
      ShopErrorCode.CLASS_DOWNGRADE,
      `This plan's level ${content.classLevel} is below your current level ${user.classLevel} ` +
        `(active until ${new Date(currentEnd * 1000).toISOString()}); ` +
        'buy it with allow_downgrade: true to replace your level',
    );
  }
  return { classLevel: content.classLevel, classExpire: atUnix(nowS + days) };
}

function decideQuota(content: PlanContent): QuotaChange {
  if (content.trafficGb === null) return { mode: 'none' };
  const bytes = Math.round(content.trafficGb * GB);
  return content.resetTraffic
    ? { mode: 'reset', bytes }
    : { mode: 'add', bytes };
}

/** Unix seconds of a DATETIME value; an unreadable legacy date (0000-00-00) counts as long past. */
function unixOf(date: Date): number {
  const ms = date instanceof Date ? date.getTime() : new Date(date).getTime();
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}

function atUnix(seconds: number): Date {
  return new Date(seconds * 1000);
}
