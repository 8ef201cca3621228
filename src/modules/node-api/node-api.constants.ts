/** Most entries one traffic / aliveip / detectlog report may carry (docs/spec/node-api.md). */
export const MAX_REPORT_ENTRIES = 10_000;

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
