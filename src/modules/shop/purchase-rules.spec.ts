import {
  decidePurchase,
  discountedPriceCents,
  GB,
  PlanContent,
  PurchaseCoupon,
  PurchaseRequest,
} from './purchase-rules.js';
import { parsePlanContent } from './plan-content.js';
import { ShopErrorCode } from './shop.exception.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const DAY_MS = 86_400_000;
const days = (n: number) => new Date(NOW.getTime() + n * DAY_MS);

const content = (over: Partial<PlanContent> = {}): PlanContent => ({
  trafficGb: 100,
  resetTraffic: true,
  classLevel: 2,
  classExpireDays: 30,
  expireInDays: 30,
  speedlimit: null,
  connector: null,
  ...over,
});

const request = (over: {
  user?: Partial<PurchaseRequest['user']>;
  content?: Partial<PlanContent>;
  priceCents?: number;
  autoRenewDays?: number;
  coupon?: Partial<PurchaseCoupon> | null;
  allowDowngrade?: boolean;
  autoRenew?: boolean;
}): PurchaseRequest => ({
  user: {
    classLevel: 0,
    classExpire: new Date(0),
    expireIn: NOW,
    ...over.user,
  },
  plan: {
    id: 7,
    name: 'Plan',
    priceCents: over.priceCents ?? 1000,
    autoRenewDays: over.autoRenewDays ?? 30,
    content: content(over.content),
  },
  coupon:
    over.coupon === undefined || over.coupon === null
      ? null
      : {
          code: 'SAVE',
          credit: 10,
          expire: NOW.getTime() / 1000 + 3600,
          shopIds: [],
          onetime: 1,
          totalLimit: 0,
          used: 0,
          usedByUser: 0,
          ...over.coupon,
        },
  now: NOW,
  allowDowngrade: over.allowDowngrade ?? false,
  autoRenew: over.autoRenew ?? false,
});

describe('decidePurchase: level', () => {
  it.each([
    {
      name: 'same unexpired level extends class_expire',
      user: { classLevel: 2, classExpire: days(10) },
      plan: { classLevel: 2, classExpireDays: 30 },
      expected: { classLevel: 2, classExpire: days(40) },
    },
    {
      name: 'higher level replaces from now',
      user: { classLevel: 1, classExpire: days(10) },
      plan: { classLevel: 3, classExpireDays: 30 },
      expected: { classLevel: 3, classExpire: days(30) },
    },
    {
      name: 'expired higher level is replaced by a lower one',
      user: { classLevel: 5, classExpire: days(-1) },
      plan: { classLevel: 1, classExpireDays: 30 },
      expected: { classLevel: 1, classExpire: days(30) },
    },
    {
      name: 'expired same level starts from now (no credit for lapsed days)',
      user: { classLevel: 2, classExpire: days(-5) },
      plan: { classLevel: 2, classExpireDays: 30 },
      expected: { classLevel: 2, classExpire: days(30) },
    },
    {
      name: 'level expiring exactly now counts as expired',
      user: { classLevel: 4, classExpire: NOW },
      plan: { classLevel: 1, classExpireDays: 7 },
      expected: { classLevel: 1, classExpire: days(7) },
    },
    {
      name: 'lower level with allow_downgrade replaces',
      user: { classLevel: 3, classExpire: days(10) },
      plan: { classLevel: 1, classExpireDays: 30 },
      allowDowngrade: true,
      expected: { classLevel: 1, classExpire: days(30) },
    },
    {
      name: 'a plan without a level leaves the level alone',
      user: { classLevel: 3, classExpire: days(10) },
      plan: { classLevel: null },
      expected: { classLevel: 3, classExpire: days(10) },
    },
    {
      name: 'an unreadable legacy date counts as expired',
      user: { classLevel: 3, classExpire: new Date('invalid') },
      plan: { classLevel: 1, classExpireDays: 1 },
      expected: { classLevel: 1, classExpire: days(1) },
    },
  ])('$name', ({ user, plan, allowDowngrade, expected }) => {
    const out = decidePurchase(
      request({ user, content: plan, allowDowngrade }),
    );
    expect({
      classLevel: out.classLevel,
      classExpire: out.classExpire,
    }).toEqual(expected);
  });

  it.each([
    { current: 3, plan: 1 },
    { current: 2, plan: 0 },
  ])(
    'lower level $plan under an unexpired level $current is refused (CLASS_DOWNGRADE)',
    ({ current, plan }) => {
      expect(() =>
        decidePurchase(
          request({
            user: { classLevel: current, classExpire: days(1) },
            content: { classLevel: plan },
          }),
        ),
      ).toThrow(
        expect.objectContaining({
          code: ShopErrorCode.CLASS_DOWNGRADE,
          message:
            `This plan's level ${plan} is below your current level ${current} ` +
            `(active until ${days(1).toISOString()}); ` +
            'buy it with allow_downgrade: true to replace your level',
        }),
      );
    },
  );
});

describe('decidePurchase: account expiry and quota', () => {
  it.each([
    {
      name: 'future expiry is extended',
      expireIn: days(10),
      add: 30,
      expected: days(40),
    },
    {
      name: 'past expiry restarts from now',
      expireIn: days(-10),
      add: 30,
      expected: days(30),
    },
    {
      name: 'zero days on a lapsed account → now',
      expireIn: days(-1),
      add: 0,
      expected: NOW,
    },
    {
      name: 'no expire_in key leaves it alone',
      expireIn: days(-1),
      add: null,
      expected: days(-1),
    },
  ])('$name', ({ expireIn, add, expected }) => {
    const out = decidePurchase(
      request({ user: { expireIn }, content: { expireInDays: add } }),
    );
    expect(out.expireIn).toEqual(expected);
  });

  it.each([
    {
      name: 'reset',
      gb: 100,
      reset: true,
      expected: { mode: 'reset', bytes: 100 * GB },
    },
    {
      name: 'add',
      gb: 50,
      reset: false,
      expected: { mode: 'add', bytes: 50 * GB },
    },
    {
      name: 'fractional GB rounds to a byte',
      gb: 0.1,
      reset: false,
      expected: { mode: 'add', bytes: 107374182 },
    },
    {
      name: 'reset to zero',
      gb: 0,
      reset: true,
      expected: { mode: 'reset', bytes: 0 },
    },
    {
      name: 'no traffic key',
      gb: null,
      reset: true,
      expected: { mode: 'none' },
    },
  ])('quota: $name', ({ gb, reset, expected }) => {
    const out = decidePurchase(
      request({ content: { trafficGb: gb, resetTraffic: reset } }),
    );
    expect(out.quota).toEqual(expected);
  });

  it.each([
    { speedlimit: 100, connector: 3 },
    { speedlimit: null, connector: null },
  ])('speed $speedlimit and devices $connector pass through', (limits) => {
    const out = decidePurchase(request({ content: limits }));
    expect(out).toMatchObject(limits);
  });

  it.each([
    {
      name: 'asked and plan renews',
      autoRenew: true,
      days: 30,
      expected: NOW.getTime() / 1000 + 30 * 86_400,
    },
    { name: 'not asked', autoRenew: false, days: 30, expected: 0 },
    { name: 'plan does not renew', autoRenew: true, days: 0, expected: 0 },
  ])('renew: $name', ({ autoRenew, days: d, expected }) => {
    expect(
      decidePurchase(request({ autoRenew, autoRenewDays: d })).renewAt,
    ).toBe(expected);
  });
});

describe('price and coupons', () => {
  it.each([
    { price: 1000, credit: 0, expected: 1000 },
    { price: 1000, credit: 10, expected: 900 },
    { price: 1000, credit: 100, expected: 0 },
    { price: 999, credit: 15, expected: 849 }, // 849.15 → 849
    { price: 1, credit: 50, expected: 1 }, // 0.5 cent rounds half up
    { price: 333, credit: 50, expected: 167 }, // 166.5 → 167
    { price: 1999, credit: 33, expected: 1339 }, // 1339.33 → 1339
    { price: 12345, credit: 7, expected: 11481 }, // 11480.85 → 11481
  ])(
    '$price cents with $credit% off → $expected cents',
    ({ price, credit, expected }) => {
      expect(discountedPriceCents(price, credit)).toBe(expected);
      expect(
        decidePurchase(request({ priceCents: price, coupon: { credit } }))
          .priceCents,
      ).toBe(expected);
    },
  );

  it.each([
    { price: 1000, credit: 150, expected: 0 },
    { price: 1000, credit: -50, expected: 1000 },
  ])(
    'the discount math clamps $credit% off to [0, price] → $expected cents',
    ({ price, credit, expected }) => {
      expect(discountedPriceCents(price, credit)).toBe(expected);
    },
  );

  it.each([
    { name: 'credit over 100 (adopted row)', coupon: { credit: 150 } },
    { name: 'negative credit', coupon: { credit: -20 } },
    { name: 'fractional credit', coupon: { credit: 12.5 } },
  ])('a coupon with $name is refused with COUPON_INVALID', ({ coupon }) => {
    expect(() => decidePurchase(request({ coupon }))).toThrow(
      expect.objectContaining({
        code: ShopErrorCode.COUPON_INVALID,
        message: expect.stringContaining(
          'Coupon SAVE has a discount outside 0-100 %',
        ),
      }),
    );
  });

  it.each([{ priceCents: -500 }, { priceCents: Number.NaN }])(
    'a plan priced $priceCents is refused with PLAN_PRICE_INVALID',
    ({ priceCents }) => {
      expect(() => decidePurchase(request({ priceCents }))).toThrow(
        expect.objectContaining({
          code: ShopErrorCode.PLAN_PRICE_INVALID,
          message: expect.stringContaining(
            'Plan 7 has a negative or unreadable price',
          ),
        }),
      );
    },
  );

  it('a free plan (price 0) is bought for nothing, not refused', () => {
    expect(decidePurchase(request({ priceCents: 0 })).priceCents).toBe(0);
  });

  it('no coupon → full price', () => {
    expect(decidePurchase(request({ priceCents: 2550 })).priceCents).toBe(2550);
  });

  it.each([
    {
      name: 'expired',
      coupon: { expire: NOW.getTime() / 1000 - 1 },
      code: ShopErrorCode.COUPON_EXPIRED,
      message: 'Coupon SAVE has expired',
    },
    {
      name: 'for other plans',
      coupon: { shopIds: [1, 2] },
      code: ShopErrorCode.COUPON_NOT_APPLICABLE,
      message: 'Coupon SAVE does not apply to this plan',
    },
    {
      name: 'per-user uses reached',
      coupon: { onetime: 2, usedByUser: 2 },
      code: ShopErrorCode.COUPON_LIMIT_REACHED,
      message: 'Coupon SAVE may be used 2 time(s) per user',
    },
    {
      name: 'total uses reached',
      coupon: { totalLimit: 5, used: 5 },
      code: ShopErrorCode.COUPON_USED_UP,
      message: 'Coupon SAVE has been used up',
    },
  ])('coupon $name is refused with $code', ({ coupon, code, message }) => {
    expect(() => decidePurchase(request({ coupon }))).toThrow(
      expect.objectContaining({ code, message }),
    );
  });

  it.each([
    { name: 'listed plan', coupon: { shopIds: [3, 7] } },
    {
      name: 'unlimited per user (onetime 0)',
      coupon: { onetime: 0, usedByUser: 99 },
    },
    {
      name: 'one per-user use left (1 of 2)',
      coupon: { onetime: 2, usedByUser: 1 },
    },
    { name: 'one total use left (4 of 5)', coupon: { totalLimit: 5, used: 4 } },
    {
      name: 'unlimited total (total_limit 0)',
      coupon: { totalLimit: 0, used: 1000 },
    },
    {
      name: 'expires this very second',
      coupon: { expire: NOW.getTime() / 1000 },
    },
  ])('coupon accepted: $name', ({ coupon }) => {
    expect(decidePurchase(request({ coupon })).priceCents).toBe(900);
  });
});

describe('parsePlanContent', () => {
  it.each([
    {
      name: 'canonical keys',
      text: '{"traffic":10,"reset_traffic":false,"class":1,"class_expire":30,"expire_in":30,"speedlimit":50,"connector":2}',
      expected: {
        trafficGb: 10,
        resetTraffic: false,
        classLevel: 1,
        classExpireDays: 30,
        expireInDays: 30,
        speedlimit: 50,
        connector: 2,
      },
    },
    {
      name: 'legacy aliases, unknown legacy keys ignored, reset from auto_reset_bandwidth',
      text: '{"bandwidth":5,"expire":7,"content_extra":"x"}',
      expected: {
        trafficGb: 5,
        resetTraffic: true,
        classLevel: null,
        classExpireDays: 0,
        expireInDays: 7,
        speedlimit: null,
        connector: null,
      },
    },
  ])('$name', ({ text, expected }) => {
    expect(parsePlanContent(text, true)).toEqual(expected);
  });

  it.each([
    ['not JSON', 'nope'],
    ['an array', '[1]'],
    ['negative traffic', '{"traffic":-1}'],
    ['string class', '{"class":"2","class_expire":30}'],
    ['class without class_expire', '{"class":2}'],
    ['alias and name together', '{"traffic":1,"bandwidth":2}'],
  ])('%s is not a plan', (_, text) => {
    expect(parsePlanContent(text, false)).toBeNull();
  });
});
