import { availableParallelism } from 'node:os';
import type { Config } from 'jest';

// Nest 12 packages are ESM-only and Node 20 has no require(esm) inside jest, so the
// suite runs as native ESM (node --experimental-vm-modules) through ts-jest's ESM mode.
const config: Config = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: '.',
  testRegex: '.*\\.(spec|e2e-spec|core-spec)\\.ts$',
  // A mutation run's sandbox (stryker.config.mjs) holds a copy of every spec.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/.stryker-tmp/'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: './tsconfig.json' }],
    // CommonJS packages that require() the ESM-only Nest 12: see the transform's header.
    '/node_modules/@nestjs/throttler/.+\\.js$':
      '<rootDir>/test/utils/cjs-to-esm.transform.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!@nestjs/throttler/)'],
  // Source imports carry the `.js` suffix Node's ESM resolver needs; jest resolves the .ts.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  testTimeout: 60_000,
  // Jest's default (cores - 1) runs a 2-core machine's suite in band, one file at a time. The
  // files mostly wait (on the database, HTTP, child processes), so two workers there overlap
  // those waits; each worker has its own database and Redis key prefix (setup-env.ts).
  maxWorkers: Math.max(2, availableParallelism() - 1),
};

export default config;
