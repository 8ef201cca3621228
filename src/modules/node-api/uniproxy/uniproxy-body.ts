import { isIP } from 'node:net';
import { MAX_REPORT_ENTRIES } from '../node-api.constants.js';
import type { TrafficEntry } from '../node-traffic.service.js';
import { UniProxyErrorCode, UniProxyException } from './uniproxy.exception.js';

const INT_MAX = 2_147_483_647;
const USER_ID = /^[1-9][0-9]{0,9}$/;

/** What a report body held: the well-formed entries and how many others were dropped. */
export interface Parsed<T> {
  entries: T[];
  malformed: number;
}

const invalid = (message: string): UniProxyException =>
  new UniProxyException(UniProxyErrorCode.BODY_INVALID, message);

/**
 * The body as a JSON object, read from the raw bytes whatever the Content-Type (Xboard switched
 * to raw parsing because some agents' pushes were not read otherwise, cedar2025/Xboard
 * 93200ac). No body, or an empty `[]` (PHP-style empty map), is an empty object.
 */
export function jsonObjectBody(raw: unknown): Record<string, unknown> {
  if (!Buffer.isBuffer(raw) || raw.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw invalid('Invalid data format: the body is not JSON');
  }
  if (Array.isArray(value) && value.length === 0) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid('Invalid data format: the body must be a JSON object');
  return value as Record<string, unknown>;
}

function userId(key: string): number | null {
  if (!USER_ID.test(key)) return null;
  const id = Number(key);
  return id <= INT_MAX ? id : null;
}

const isBytes = (n: unknown): n is number =>
  typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/**
 * `push`: `{"<uid>": [upload, download]}` (V2bX api/panel/user.go and XrayR
 * api/newV2board/v2board.go marshal a `map[int][]int64`). An entry whose key is not a user id
 * or whose value is not two non-negative integers (negative, fractional, strings) is dropped and
 * counted, as Xboard keeps only 2-element numeric arrays; the rest is applied.
 */
export function parseTrafficPush(raw: unknown): Parsed<TrafficEntry> {
  const body = jsonObjectBody(raw);
  const keys = Object.keys(body);
  if (keys.length > MAX_REPORT_ENTRIES)
    throw invalid(`A push carries at most ${MAX_REPORT_ENTRIES} users`);
  const entries: TrafficEntry[] = [];
  let malformed = 0;
  for (const key of keys) {
    const id = userId(key);
    const value = body[key];
    if (
      id === null ||
      !Array.isArray(value) ||
      value.length !== 2 ||
      !isBytes(value[0]) ||
      !isBytes(value[1])
    ) {
      malformed++;
      continue;
    }
    entries.push({ user_id: id, u: value[0], d: value[1] });
  }
  return { entries, malformed };
}

/**
 * One reported address as `alive_ip` stores it: V2bX sends `ip`, `ip:port` or `ip_<suffix>`
 * (the suffix tells connections apart, wyx2685/V2bX node/user.go); the port and suffix go, the
 * rest must be an IP address.
 */
export function aliveAddress(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  let text = value.trim();
  const underscore = text.indexOf('_');
  if (underscore >= 0) text = text.slice(0, underscore);
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1];
  else {
    const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(text);
    if (v4WithPort) text = v4WithPort[1];
  }
  return isIP(text) !== 0 && text.length <= 64 ? text : null;
}

/**
 * `alive`: `{"<uid>": ["ip" | "ip:port" | "ip_suffix", …]}` (V2bX `map[int][]string`). Bad user
 * keys, non-list values and addresses that are not IPs are dropped and counted.
 */
export function parseAlive(
  raw: unknown,
): Parsed<{ user_id: number; ip: string }> {
  const body = jsonObjectBody(raw);
  const entries: { user_id: number; ip: string }[] = [];
  let malformed = 0;
  for (const key of Object.keys(body)) {
    const id = userId(key);
    const value = body[key];
    if (id === null || !Array.isArray(value)) {
      malformed++;
      continue;
    }
    const seen = new Set<string>();
    for (const item of value as unknown[]) {
      const ip = aliveAddress(item);
      if (ip === null) malformed++;
      else if (!seen.has(ip)) {
        seen.add(ip);
        entries.push({ user_id: id, ip });
      }
    }
    if (entries.length > MAX_REPORT_ENTRIES)
      throw invalid(
        `An alive report carries at most ${MAX_REPORT_ENTRIES} addresses`,
      );
  }
  return { entries, malformed };
}

/** `status` (Xboard V1 `UniProxyController::status`), as the node's load. */
export interface NodeStatusReport {
  cpu: number;
  mem: { total: number; used: number };
  swap: { total: number; used: number };
  disk: { total: number; used: number };
}

/**
 * `status`: `{cpu: 0–100, mem|swap|disk: {total, used}}` with non-negative integer byte counts,
 * as Xboard validates it; anything else is refused whole (400), since a load figure is one
 * reading, not a list of entries.
 */
export function parseStatus(raw: unknown): NodeStatusReport {
  const body = jsonObjectBody(raw);
  const cpu = body.cpu;
  if (typeof cpu !== 'number' || !Number.isFinite(cpu) || cpu < 0 || cpu > 100)
    throw invalid('cpu must be a number from 0 to 100');
  const pair = (name: 'mem' | 'swap' | 'disk') => {
    const v = body[name] as Record<string, unknown> | undefined;
    if (
      v === null ||
      typeof v !== 'object' ||
      !isBytes(v.total) ||
      !isBytes(v.used)
    )
      throw invalid(
        `${name} must be {total, used} in non-negative integer bytes`,
      );
    return { total: v.total, used: v.used };
  };
  return { cpu, mem: pair('mem'), swap: pair('swap'), disk: pair('disk') };
}
