import { col, NULLABLE, type TableSpec } from './table-spec.js';

/**
 * The schema of docs/spec/data-model.md as adopted by `AdoptLegacySchema1732300000000`. Frozen with that
 * migration: later changes are new migrations, not edits here.
 *
 * Conventions:
 * - Columns without a default are the ones legacy SSPanel databases declare NOT NULL without a
 *   default (user.user_name, reg_date, theme, ga_token, invite_num, ...; ss_node.info, status)
 *   or that are inherently per-row (owner ids, amounts, times). Fresh databases are kept as
 *   strict as adopted ones so a forgotten column fails in tests, not in production.
 * - Unix times are INT; legacy DATETIME columns (class_expire, expire_in, reg_date) stay DATETIME.
 * - High-churn telemetry/log tables get BIGINT ids (alive_ip alone can see millions of rows a day).
 */

const DATETIME_PAST = '1970-01-01 00:00:00';
const DATETIME_FAR = '2099-12-31 00:00:00';

const user: TableSpec = {
  name: 'user',
  ours: false,
  columns: [
    col.id(),
    col.varchar('user_name', 128),
    col.varchar('email', 64),
    col.varchar('pass', 255),
    col.varchar('passwd', 64),
    col.varchar('uuid', 64, undefined, { fillWhenAdded: 'uuid' }),
    col.int('port'),
    col.varchar('method', 64, 'aes-256-gcm'),
    col.varchar('protocol', 128, 'origin'),
    col.varchar('obfs', 128, 'plain'),
    col.int('t', 0),
    col.bigint('u', 0),
    col.bigint('d', 0),
    col.bigint('transfer_enable', 0),
    col.bigint('transfer_limit', 0),
    col.bigint('last_day_t', 0),
    col.double('node_speedlimit', 0),
    col.int('node_connector', 0),
    col.tinyint('switch', 1),
    col.tinyint('enable', 1),
    col.tinyint('is_admin', 0),
    col.money('money', 0),
    col.int('ref_by', 0),
    col.int('score', 0),
    col.int('ban_times', 0),
    col.int('class', 0),
    col.datetime('class_expire', DATETIME_PAST),
    col.datetime('expire_in', DATETIME_FAR),
    col.int('node_group', 0),
    col.text('warming', NULLABLE),
    col.int('rss_count', 0),
    col.int('rss_count_lastday', 0),
    col.int('rss_ips_count', 0),
    col.int('rss_ips_lastday', 0),
    col.int('last_check_in_time', 0),
    col.int('renew_time', 0),
    col.datetime('reg_date'),
    col.varchar('reg_ip', 128, '127.0.0.1'),
    // NULL until assigned: a UNIQUE index tolerates many NULLs but not many '' (adopted rows).
    col.varchar('invite_code', 32, undefined, NULLABLE),
    col.varchar('theme', 128),
    col.varchar('ga_token', 128),
    col.int('invite_num'),
  ],
  indices: [
    { name: 'uq_user_email', columns: ['email'], unique: true },
    { name: 'uq_user_invite_code', columns: ['invite_code'], unique: true },
    // Nodes key users by port (SS) and uuid (VMess/VLESS/Trojan): unique when we create the
    // table; an adopted database may hold duplicates, so there it is only an index.
    {
      name: 'uq_user_port',
      columns: ['port'],
      unique: true,
      whenAdopted: 'plain',
    },
    {
      name: 'uq_user_uuid',
      columns: ['uuid'],
      unique: true,
      whenAdopted: 'plain',
    },
    // The node resolver filters on enable = 1 AND switch = 1, then node_group/class. Real panels
    // accumulate many disabled/expired accounts, so this prefix skips them; the hot write path
    // (traffic: u, d, t) touches none of these columns, so the index costs the jobs only.
    {
      name: 'idx_user_servable',
      columns: ['enable', 'switch', 'node_group', 'class'],
    },
    // Referral: "who did I invite", chain walks go by id (the primary key).
    { name: 'idx_user_ref_by', columns: ['ref_by'] },
  ],
};

const ssNode: TableSpec = {
  name: 'ss_node',
  ours: false,
  columns: [
    col.id(),
    col.varchar('name', 128),
    col.int('type', 1),
    col.varchar('server', 128),
    col.varchar('method', 64, 'aes-256-gcm'),
    col.varchar('info', 128),
    col.varchar('status', 128),
    col.int('sort', 0),
    col.double('traffic_rate', 1),
    col.int('node_class', 0),
    col.int('node_group', 0),
    col.double('node_speedlimit', 0),
    col.int('node_connector', 0),
    col.bigint('node_bandwidth', 0),
    col.bigint('node_bandwidth_limit', 0),
    col.bigint('node_bandwidth_lastday', 0),
    col.int('bandwidthlimit_resetday', 0),
    col.int('node_heartbeat', 0),
    col.text('node_ip', NULLABLE),
    col.int('node_online', 0),
    col.text('custom_config', NULLABLE),
    col.int('online_user', 0),
  ],
  // A few dozen rows: no secondary index is worth its upkeep.
  indices: [],
};

const shop: TableSpec = {
  name: 'shop',
  ours: false,
  columns: [
    col.id(),
    col.varchar('name', 128),
    col.money('price', 0),
    col.text('content'),
    col.int('auto_renew', 0),
    col.tinyint('auto_reset_bandwidth', 0),
    col.tinyint('status', 1),
  ],
  indices: [],
};

const bought: TableSpec = {
  name: 'bought',
  ours: false,
  columns: [
    col.id(),
    col.int('userid'),
    col.int('shopid'),
    col.int('datetime'),
    col.int('renew', 0),
    col.text('coupon'),
    col.money('price'),
  ],
  indices: [
    { name: 'idx_bought_userid', columns: ['userid'] },
    // Auto-renew scans `renew > 0 AND renew < now + 60` every hour.
    { name: 'idx_bought_renew', columns: ['renew'] },
  ],
};

const coupon: TableSpec = {
  name: 'coupon',
  ours: false,
  columns: [
    col.id(),
    col.varchar('code', 64),
    col.int('onetime', 1),
    col.int('expire'),
    col.text('shop'),
    col.int('credit', 0),
    col.int('total_limit', 0),
    col.int('used', 0),
  ],
  // Legacy `code` is TEXT: the adopter leaves TEXT columns unindexed (MySQL cannot index them).
  indices: [{ name: 'uq_coupon_code', columns: ['code'], unique: true }],
};

const paylist: TableSpec = {
  name: 'paylist',
  ours: false,
  columns: [
    col.id(),
    col.int('userid'),
    col.money('total'),
    col.int('status', 0),
    col.varchar('tradeno', 64),
    col.int('datetime', 0),
    // NULL on orders from before adoption: the gateway and its trade number are unknown.
    col.varchar('gateway', 32, undefined, NULLABLE),
    col.int('paid_at', undefined, NULLABLE),
    col.varchar('callback_no', 128, undefined, NULLABLE),
  ],
  indices: [
    // Legacy databases keep `tradeno` as TEXT without a key; crediting is idempotent through
    // conditional updates, so nothing relies on this index.
    {
      name: 'uq_paylist_tradeno',
      columns: ['tradeno'],
      unique: true,
      whenAdopted: 'skip',
    },
    {
      name: 'uq_paylist_gateway_callback',
      columns: ['gateway', 'callback_no'],
      unique: true,
    },
    { name: 'idx_paylist_userid', columns: ['userid'] },
    // The hourly expiry: `status = 0 AND datetime < ?`.
    { name: 'idx_paylist_status_datetime', columns: ['status', 'datetime'] },
  ],
};

const payback: TableSpec = {
  name: 'payback',
  ours: false,
  columns: [
    col.id(),
    col.money('total'),
    col.int('userid'),
    col.int('ref_by'),
    col.money('ref_get'),
    col.int('datetime'),
    col.int('callback', 0),
    // NULL for registration rewards/clawbacks (no order): NULLs never collide in the UNIQUE key.
    col.int('paylist_id', undefined, NULLABLE),
    col.int('level', 1),
  ],
  indices: [
    {
      name: 'uq_payback_paylist_level',
      columns: ['paylist_id', 'level'],
      unique: true,
    },
    { name: 'idx_payback_ref_by', columns: ['ref_by'] },
    { name: 'idx_payback_userid', columns: ['userid'] },
  ],
};

const code: TableSpec = {
  name: 'code',
  ours: false,
  columns: [
    col.id(),
    col.text('code'),
    col.int('type'),
    col.money('number'),
    col.int('isused', 0),
    col.int('userid', 0),
    col.datetime('usedatetime', DATETIME_PAST),
  ],
  indices: [],
};

const aliveIp: TableSpec = {
  name: 'alive_ip',
  ours: false,
  columns: [
    col.id('bigint'),
    col.int('nodeid'),
    col.int('userid'),
    col.varchar('ip', 64),
    col.int('datetime'),
  ],
  indices: [
    { name: 'idx_alive_ip_node_datetime', columns: ['nodeid', 'datetime'] },
    { name: 'idx_alive_ip_userid', columns: ['userid'] },
  ],
};

const blockIp: TableSpec = {
  name: 'blockip',
  ours: false,
  columns: [
    col.id('bigint'),
    col.int('nodeid'),
    col.varchar('ip', 64),
    col.int('datetime'),
  ],
  indices: [],
};

const unblockIp: TableSpec = {
  name: 'unblockip',
  ours: false,
  columns: [
    col.id('bigint'),
    col.int('nodeid', 0),
    // Legacy SSPanel's unblockip has `userid` (NOT NULL) instead of `nodeid`; keep both.
    col.int('userid', 0),
    col.varchar('ip', 64),
    col.int('datetime'),
  ],
  indices: [],
};

const ssNodeInfo: TableSpec = {
  name: 'ss_node_info',
  ours: false,
  columns: [
    col.id('bigint'),
    col.int('node_id'),
    col.double('uptime', 0),
    col.varchar('load', 32),
    col.int('log_time'),
  ],
  indices: [],
};

const ssNodeOnlineLog: TableSpec = {
  name: 'ss_node_online_log',
  ours: false,
  columns: [
    col.id('bigint'),
    col.int('node_id'),
    col.int('online_user', 0),
    col.int('log_time'),
  ],
  indices: [],
};

const userTrafficLog: TableSpec = {
  name: 'user_traffic_log',
  ours: false,
  columns: [
    col.id('bigint'),
    col.int('user_id'),
    col.bigint('u', 0),
    col.bigint('d', 0),
    col.int('node_id'),
    col.double('rate', 1),
    col.varchar('traffic', 32, ''),
    col.int('log_time'),
  ],
  // Written on the hot traffic path and cleaned by id ranges (ids grow with time): no index.
  indices: [],
};

const detectList: TableSpec = {
  name: 'detect_list',
  ours: false,
  columns: [
    col.id(),
    col.text('name'),
    col.text('text'),
    col.text('regex'),
    col.int('type', 1),
  ],
  indices: [],
};

const detectLog: TableSpec = {
  name: 'detect_log',
  ours: false,
  columns: [
    col.id('bigint'),
    col.int('user_id'),
    col.int('list_id'),
    col.int('node_id'),
    col.int('datetime'),
  ],
  indices: [],
};

const userMoneyLog: TableSpec = {
  name: 'user_money_log',
  ours: true,
  columns: [
    col.id('bigint'),
    col.int('user_id'),
    // `before` is a reserved word in MySQL: raw SQL must quote it.
    col.money('before'),
    col.money('after'),
    col.money('amount'),
    col.varchar('reason', 32),
    col.varchar('ref_type', 32, undefined, NULLABLE),
    col.int('ref_id', undefined, NULLABLE),
    col.varchar('note', 255, undefined, NULLABLE),
    col.int('created_at'),
  ],
  // "Latest row per user" (the ledger invariant) and a user's history, newest first.
  indices: [{ name: 'idx_user_money_log_user_id', columns: ['user_id', 'id'] }],
};

const jobRun: TableSpec = {
  name: 'job_run',
  ours: true,
  columns: [
    col.id('bigint'),
    col.varchar('job', 32),
    col.int('started_at'),
    col.int('finished_at', undefined, NULLABLE),
    col.varchar('status', 16),
    col.tinyint('dry_run', 0),
    // JSON text (portable: SQLite has no JSON column type).
    col.text('steps', NULLABLE),
  ],
  indices: [{ name: 'idx_job_run_job_id', columns: ['job', 'id'] }],
};

const trafficReport: TableSpec = {
  name: 'traffic_report',
  ours: true,
  columns: [
    col.id('bigint'),
    col.int('node_id'),
    col.varchar('report_key', 64),
    col.int('received_at'),
  ],
  indices: [
    {
      name: 'uq_traffic_report_node_key',
      columns: ['node_id', 'report_key'],
      unique: true,
    },
    // The cleanup deletes `received_at < now - 1 day`.
    { name: 'idx_traffic_report_received_at', columns: ['received_at'] },
  ],
};

const userArchive: TableSpec = {
  name: 'user_archive',
  ours: true,
  columns: [
    col.id(),
    col.int('user_id'),
    col.varchar('email', 64),
    // The deleted row as JSON (every column, as read at deletion).
    col.text('data'),
    col.varchar('reason', 255),
    col.int('archived_at'),
  ],
  indices: [
    { name: 'idx_user_archive_user_id', columns: ['user_id'] },
    { name: 'idx_user_archive_email', columns: ['email'] },
  ],
};

/** Every table of docs/spec/data-model.md, in creation order. */
export const LEGACY_TABLES: readonly TableSpec[] = [
  user,
  ssNode,
  shop,
  bought,
  coupon,
  paylist,
  payback,
  code,
  aliveIp,
  blockIp,
  unblockIp,
  ssNodeInfo,
  ssNodeOnlineLog,
  userTrafficLog,
  detectList,
  detectLog,
  userMoneyLog,
  jobRun,
  trafficReport,
  userArchive,
];
