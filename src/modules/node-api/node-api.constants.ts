/** Most entries one traffic / aliveip / detectlog report may carry (spec: node-api.md). */
export const MAX_REPORT_ENTRIES = 10_000;

/**
 * Rows per `UPDATE user ... CASE id ...` statement. A traffic report is therefore applied in at
 * most ⌈10,000 / 1,000⌉ = 10 user updates, plus the dedup insert (and its window re-check), the
 * node update and, with TRAFFIC_LOG, 10 existence reads and 10 log inserts: never more than
 * 33 statements, whatever the report's size.
 */
export const TRAFFIC_CHUNK_SIZE = 1_000;

/** A user counts as online on a node while an `alive_ip` row is younger than this. */
export const ALIVE_IP_WINDOW_S = 90;

/** Redis TTLs of the live node state (spec: node-api.md, "Online and heartbeat state"). */
export const NODE_ONLINE_TTL_S = 300;
export const NODE_STATS_TTL_S = 180;

/**
 * `node_heartbeat` is written at most once per node per replica in this many seconds. Every
 * users poll records a heartbeat, and XrayR polls (and 304s) are the hottest path; a node counts
 * as offline only after NODE_OFFLINE_AFTER_S (default 600 s), so coarser writes lose nothing.
 */
export const HEARTBEAT_WRITE_INTERVAL_S = 5;

/**
 * What `/mod_mu/nodes/:id/info` reports as the panel version. XrayR compares it with
 * `compareVersion` (digits and dots only): below 2021.11 it ignores custom_config, below 2023.2
 * it posts legacy load reports; 2025.1.0 selects the current behaviour.
 */
export const SSPANEL_API_VERSION = '2025.1.0';

/** `type` in the node info: the panel's name, as SSPanel-UIM sends its own. */
export const SSPANEL_APP_NAME = 'Panel';

/** How often an identical transient lock failure (deadlock, lock wait) is retried. */
export const TRAFFIC_MAX_ATTEMPTS = 5;
