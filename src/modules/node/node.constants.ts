/**
 * Rows per statement when a node report is written (`UPDATE user ... CASE id ...`, the alive-IP
 * and audit-hit inserts). A traffic report is therefore applied in at most ⌈10,000 / 1,000⌉ = 10
 * user updates, plus the dedup insert (and its window re-check), the node update and, with
 * TRAFFIC_LOG, 10 existence reads and 10 log inserts: never more than 33 statements, whatever
 * the report's size.
 */
export const TRAFFIC_CHUNK_SIZE = 1_000;

/**
 * The most a traffic counter (`user.u`, `user.d`, `ss_node.node_bandwidth`) ever holds, and the
 * most one traffic report may carry in total: 2^53 − 1 bytes (8 PiB), the largest integer the
 * JSON API and JavaScript carry exactly. Far below BIGINT, so `u + d` never overflows either;
 * a counter that reaches it stays there (saturates) instead of failing the node's report.
 */
export const MAX_TRAFFIC_BYTES = Number.MAX_SAFE_INTEGER;

/** A user counts as online on a node while an `alive_ip` row is younger than this. */
export const ALIVE_IP_WINDOW_S = 90;

/** Redis TTLs of the live node state (docs/spec/node-api.md, "Online and heartbeat state"). */
export const NODE_ONLINE_TTL_S = 300;
export const NODE_STATS_TTL_S = 180;

/**
 * `node_heartbeat` is written at most once per node per replica in this many seconds. Every
 * users poll records a heartbeat, and XrayR polls (and 304s) are the hottest path; a node counts
 * as offline only after NODE_OFFLINE_AFTER_S (default 600 s), so coarser writes lose nothing.
 */
export const HEARTBEAT_WRITE_INTERVAL_S = 5;
