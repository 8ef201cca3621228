/**
 * `ss_node.custom_config` as XrayR decodes it (api/sspanel/model.go, CustomConfig): Go's
 * json.Unmarshal fails the whole node config when a field has the wrong JSON type, so values it
 * declares as `string` are sent as strings even when an older admin tool stored numbers
 * (`"offset_port_node": 443` → `"443"`), the two bools as bools and header/reality-opts as objects.
 */
const STRING_KEYS = new Set([
  'offset_port_node',
  'offset_port_user',
  'server_sub',
  'host',
  'method',
  'server_key',
  'mu_port',
  'mu_encryption',
  'mu_protocol',
  'mu_obfs',
  'mu_suffix',
  'v2_port',
  'tls',
  'enable_vless',
  'alter_id',
  'network',
  'security',
  'path',
  'obfs',
  'trojan_port',
  'allow_insecure',
  'grpc',
  'servicename',
  'enable_xtls',
  'flow',
]);
const BOOL_KEYS = new Set(['verify_cert', 'enable_reality']);
const OBJECT_KEYS = new Set(['header', 'reality-opts']);

function parseObject(text: unknown): Record<string, unknown> | null {
  if (typeof text !== 'string' || text.trim() === '') return null;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** The stored JSON with XrayR's types; `{}` when empty or not a JSON object. */
export function normalizeCustomConfig(
  stored: string | null,
): Record<string, unknown> {
  const config = parseObject(stored) ?? {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (
      STRING_KEYS.has(key) &&
      (typeof value === 'number' || typeof value === 'boolean')
    )
      out[key] = String(value);
    else if (BOOL_KEYS.has(key) && typeof value !== 'boolean')
      out[key] = value === 1 || value === '1' || value === 'true';
    else if (OBJECT_KEYS.has(key) && typeof value === 'string')
      out[key] = parseObject(value) ?? {};
    else out[key] = value;
  }
  return out;
}

/**
 * What an admin may save as `custom_config`: a JSON object whose keys XrayR knows have XrayR's
 * types (strings, the two bools, the two objects). Unknown keys are allowed (other agents read
 * their own); field → problem, empty when valid.
 */
export function customConfigProblems(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { custom_config: 'custom_config must be a JSON object' };
  }
  const problems: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const field = `custom_config.${key}`;
    if (STRING_KEYS.has(key) && typeof v !== 'string')
      problems[field] = `${key} must be a string (XrayR decodes it as one)`;
    if (BOOL_KEYS.has(key) && typeof v !== 'boolean')
      problems[field] = `${key} must be true or false`;
    if (
      OBJECT_KEYS.has(key) &&
      (v === null || typeof v !== 'object' || Array.isArray(v))
    ) {
      problems[field] = `${key} must be an object`;
    }
  }
  return problems;
}
