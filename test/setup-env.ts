/**
 * Jest setupFiles: runs in every test worker before any import, so ConfigModule validates and
 * every config factory reads the test environment. Each worker process gets its own database
 * (panel_test_<pid> on MySQL, a temp file on SQLite) and Redis key prefix.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const id = `panel_test_${process.pid}`;

process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
process.env.JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789';
process.env.MU_KEY = 'test-mu-key-0123456789';
process.env.BCRYPT_ROUNDS = '4';
process.env.SCHEDULER_ENABLED = 'false';
process.env.REDIS_KEY_PREFIX = `${id}:`;
process.env.PANEL_TEST_DB_ID = id;

const base =
  process.env.PANEL_TEST_BASE_DATABASE_URL ?? process.env.DATABASE_URL;
if (base) {
  process.env.PANEL_TEST_BASE_DATABASE_URL = base;
  const url = new URL(base);
  url.pathname = `/${id}`;
  process.env.DATABASE_URL = url.toString();
} else {
  delete process.env.DATABASE_URL;
  process.env.SQLITE_PATH = join(tmpdir(), `${id}.sqlite`);
}
// Factories register and log in over HTTP many times per IP; rate-limit tests set their own limits.
process.env.THROTTLE_AUTH_LIMIT ??= '100000';
process.env.THROTTLE_REGISTER_EMAIL_LIMIT ??= '100000';
process.env.THROTTLE_PAYMENT_LIMIT ??= '100000';
process.env.THROTTLE_NODE_LIMIT ??= '100000';
process.env.THROTTLE_SUB_LIMIT ??= '100000';
