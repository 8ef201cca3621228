import { AliveIp } from './alive-ip.entity.js';
import { BlockIp } from './blockip.entity.js';
import { Bought } from './bought.entity.js';
import { RechargeCode } from './code.entity.js';
import { Coupon } from './coupon.entity.js';
import { DetectList } from './detect-list.entity.js';
import { DetectLog } from './detect-log.entity.js';
import { JobRun } from './job-run.entity.js';
import { Link, SUBSCRIPTION_LINK_TYPE } from './link.entity.js';
import { Payback } from './payback.entity.js';
import { PaymentCallback } from './payment-callback.entity.js';
import { PaymentCheckout } from './payment-checkout.entity.js';
import { Paylist } from './paylist.entity.js';
import { Shop } from './shop.entity.js';
import { SsNodeInfo } from './ss-node-info.entity.js';
import { SsNodeOnlineLog } from './ss-node-online-log.entity.js';
import { SsNode } from './ss-node.entity.js';
import { TrafficReport } from './traffic-report.entity.js';
import { UnblockIp } from './unblockip.entity.js';
import { UserArchive } from './user-archive.entity.js';
import { UserMoneyLog } from './user-money-log.entity.js';
import { UserTrafficLog } from './user-traffic-log.entity.js';
import { User } from './user.entity.js';

export {
  AliveIp,
  BlockIp,
  Bought,
  Coupon,
  DetectList,
  DetectLog,
  JobRun,
  Link,
  Payback,
  PaymentCallback,
  PaymentCheckout,
  Paylist,
  RechargeCode,
  Shop,
  SsNode,
  SsNodeInfo,
  SsNodeOnlineLog,
  TrafficReport,
  UnblockIp,
  User,
  UserArchive,
  UserMoneyLog,
  UserTrafficLog,
  SUBSCRIPTION_LINK_TYPE,
};

/** Every entity (one per table of docs/spec/data-model.md); `typeorm.options.ts` registers this list. */
export const ALL_ENTITIES = [
  User,
  SsNode,
  Shop,
  Bought,
  Coupon,
  Paylist,
  Payback,
  RechargeCode,
  AliveIp,
  BlockIp,
  UnblockIp,
  SsNodeInfo,
  SsNodeOnlineLog,
  UserTrafficLog,
  DetectList,
  DetectLog,
  UserMoneyLog,
  JobRun,
  TrafficReport,
  UserArchive,
  Link,
  PaymentCheckout,
  PaymentCallback,
];
