import { centsToNumber, toCents } from '../../../common/money.js';
import { Bought, Shop } from '../../../database/entities/index.js';
import { parseJsonObject } from '../plan-content.js';

/** A plan as users and admins see it; `content` is the stored JSON as an object. */
export class PlanDto {
  id: number;
  name: string;
  price: number;
  content: Record<string, unknown>;
  auto_renew: number;
  auto_reset_bandwidth: number;
  status: number;

  static from(shop: Shop): PlanDto {
    return Object.assign(new PlanDto(), {
      id: shop.id,
      name: shop.name,
      price: centsToNumber(toCents(shop.price)),
      content: parseJsonObject(shop.content) ?? {},
      auto_renew: shop.autoRenew,
      auto_reset_bandwidth: Number(shop.autoResetBandwidth),
      status: Number(shop.status),
    });
  }
}

export class PlanListDto {
  packages: PlanDto[];
  count: number;
}

export class BoughtDto {
  id: number;
  shopid: number;
  /** Unix seconds. */
  datetime: number;
  /** Unix seconds of the next renewal, 0 = none. */
  renew: number;
  price: number;
  coupon: string;

  static from(row: Bought): BoughtDto {
    return Object.assign(new BoughtDto(), {
      id: row.id,
      shopid: row.shopid,
      datetime: row.datetime,
      renew: row.renew,
      price: centsToNumber(toCents(row.price)),
      coupon: row.coupon ?? '',
    });
  }
}

export class BoughtListDto {
  history: BoughtDto[];
  count: number;
}

export class PurchaseResultDto {
  user_id: number;
  shop_id: number;
  shop_name: string;
  bought_id: number;
  price: number;
  new_balance: number;
  new_class: number;
  /** ISO-8601. */
  new_class_expire: string;
  /** ISO-8601. */
  new_expire_in: string;
  new_transfer_enable: number;
  traffic_added_gb: number;
  traffic_reset: boolean;
  /** Unix seconds of the next renewal, 0 = none. */
  renew: number;
}
