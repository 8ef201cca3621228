import {
  Bought,
  Coupon,
  Shop,
  User,
  UserMoneyLog,
} from '../../src/database/entities/index.js';
import { LedgerService } from '../../src/modules/ledger/ledger.service.js';
import { TestApp } from '../utils/test-app.js';

export interface PlanSpec {
  name?: string;
  price?: string;
  content?: Record<string, unknown> | string;
  autoRenew?: number;
  autoResetBandwidth?: number;
  status?: number;
}

/** Inserts a plan directly (test setup); content defaults to 100 GB reset, level 1 for 30 days. */
export async function createPlan(
  t: Pick<TestApp, 'dataSource'>,
  spec: PlanSpec = {},
): Promise<Shop> {
  const content = spec.content ?? {
    traffic: 100,
    reset_traffic: true,
    class: 1,
    class_expire: 30,
    expire_in: 30,
  };
  const repo = t.dataSource.getRepository(Shop);
  const result = await repo.insert({
    name: spec.name ?? 'Test plan',
    price: spec.price ?? '10.00',
    content: typeof content === 'string' ? content : JSON.stringify(content),
    autoRenew: spec.autoRenew ?? 0,
    autoResetBandwidth: spec.autoResetBandwidth ?? 0,
    status: spec.status ?? 1,
  });
  return repo.findOneByOrFail({ id: Number(result.identifiers[0].id) });
}

let couponCounter = 0;

export async function createCoupon(
  t: Pick<TestApp, 'dataSource'>,
  spec: Partial<Omit<Coupon, 'id'>> = {},
): Promise<Coupon> {
  const repo = t.dataSource.getRepository(Coupon);
  const result = await repo.insert({
    code: `C${process.pid}x${++couponCounter}`,
    onetime: 1,
    expire: Math.floor(Date.now() / 1000) + 86_400,
    shop: '',
    credit: 10,
    totalLimit: 0,
    used: 0,
    ...spec,
  });
  return repo.findOneByOrFail({ id: Number(result.identifiers[0].id) });
}

/** Credits a balance through the ledger (reason `admin`), so ledger checks stay meaningful. */
export async function giveMoney(
  t: TestApp,
  userId: number,
  cents: number,
): Promise<void> {
  const ledger = t.app.get(LedgerService);
  const applied = await t.dataSource.transaction((m) =>
    ledger.applyBalanceChange(m, {
      userId,
      amountCents: cents,
      reason: 'admin',
    }),
  );
  if (!applied) throw new Error(`giveMoney: user ${userId} not found`);
}

/** Everything a purchase may touch for one user (and a coupon), to assert "nothing changed". */
export async function purchaseFootprint(
  t: Pick<TestApp, 'dataSource'>,
  userId: number,
  couponId?: number,
) {
  const user = await t.dataSource
    .getRepository(User)
    .findOneByOrFail({ id: userId });
  return {
    money: user.money,
    classLevel: user.classLevel,
    classExpire: user.classExpire.getTime(),
    expireIn: user.expireIn.getTime(),
    transferEnable: user.transferEnable,
    u: user.u,
    d: user.d,
    nodeSpeedlimit: user.nodeSpeedlimit,
    nodeConnector: user.nodeConnector,
    bought: await t.dataSource
      .getRepository(Bought)
      .countBy({ userid: userId }),
    ledgerRows: await t.dataSource
      .getRepository(UserMoneyLog)
      .countBy({ userId }),
    couponUsed:
      couponId === undefined
        ? null
        : (
            await t.dataSource
              .getRepository(Coupon)
              .findOneByOrFail({ id: couponId })
          ).used,
  };
}
