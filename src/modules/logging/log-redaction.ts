/** Secrets that must never reach a log line, as pino redact paths. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.key',
  'req.headers.cookie',
  'req.query.key',
  'req.query.muKey',
  'req.body.password',
  'req.body.pass',
  'req.body.key',
  'req.body.sign',
  // Objects handed to a logger by application code (`logger.warn({ body }, ...)`).
  '*.authorization',
  '*.Authorization',
  '*.password',
  '*.pass',
  '*.passwd',
  '*.key',
  '*.muKey',
  '*.mu_key',
  '*.sign',
  '*.token',
  '*.secret',
  '*.jwtSecret',
  '*.epayKey',
  '*.EPAY_KEY',
  '*.MU_KEY',
  '*.JWT_SECRET',
];

// `key=...`, `muKey=...`, `sign=...`, `token=...` in a query string or form body, and bearer tokens.
const SECRET_PARAM =
  /([?&;\s](?:key|mukey|mu_key|sign|token|password|pass)=)[^&\s"']+/gi;
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]+/g;

/** Masks secrets inside free text (messages, URLs) that path-based redaction cannot see. */
export function scrubSecrets(text: string): string {
  return text
    .replace(SECRET_PARAM, '$1[REDACTED]')
    .replace(BEARER, '$1[REDACTED]');
}
