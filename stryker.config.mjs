// @ts-check
/**
 * Mutation testing of the money and traffic core (issue #17): `npm run test:mutation`.
 *
 * - Only the files below are mutated; the tests are the core and unit specs that drive them
 *   (SQLite, in-memory cache: the embedded mode, so no server is needed and runs never collide).
 * - perTest coverage: each mutant runs only the tests that executed its code.
 * - Incremental: results are kept in test/mutation/stryker-incremental.json (committed), so a
 *   run re-tests only mutants whose code or covering tests changed. CI relies on it.
 * - jest runs as native ESM exactly as `npm test` starts it (--experimental-vm-modules).
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const config = {
  packageManager: 'npm',
  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.ts',
    // perTest coverage already picks the tests; findRelatedTests would only add work.
    enableFindRelatedTests: false,
    config: {
      testSequencer: '<rootDir>/test/mutation/unit-first.sequencer.js',
      // The core specs (test/core/: the real services on a real migrated database, no HTTP app)
      // and the rules' unit specs. The e2e specs prove the same paths over HTTP but boot the
      // whole app per file, several times slower per mutant than the CI budget allows.
      testRegex: [
        'test/core/core\\.core-spec\\.ts$',
        'src/modules/(shop/purchase-rules|referral/commission|node-api/traffic-.*)\\.spec\\.ts$',
      ],
    },
  },
  coverageAnalysis: 'perTest',
  // The money and traffic core of issue #17 (docs/testing.md has the score and survivors).
  // Adding a file needs one local run whose incremental file is committed (about 30 minutes per
  // ~150 new mutants on this machine; `npx stryker run --mutate <file>` keeps the other files'
  // results in the incremental file), so CI has little to redo. The SQL builders only over their
  // traffic-ingestion lines (keep the ranges in step when they move):
  //   node-user.repository.ts:45-66   addTraffic, findBillableIds
  //   node-api/node-sql.ts:113-191    TrafficDelta, addTrafficQuery, the report claim/reclaim
  //   node/node-sql.ts:15-22          saturatingAddSql
  //   node/node-sql.ts:69-136         nodeScopeSql … addNodeBandwidthQuery
  mutate: [
    'src/modules/ledger/**/*.ts',
    '!src/modules/ledger/**/*.spec.ts',
    'src/modules/payment/payment-credit.service.ts',
    'src/modules/shop/purchase-rules.ts',
    'src/modules/shop/shop-purchase.service.ts',
    'src/modules/node-api/node-traffic.service.ts',
    'src/modules/node-api/traffic-report.repository.ts',
    'src/modules/referral/commission.ts',
    'src/modules/node-api/traffic-aggregate.ts',
    'src/modules/node-api/traffic-format.ts',
    'src/modules/node-api/node-user.repository.ts:45-66',
    'src/modules/node-api/node-sql.ts:113-191',
    'src/modules/node/node-sql.ts:15-22',
    'src/modules/node/node-sql.ts:69-136',
  ],
  // Mutants in code that runs at import time (constants, class fields) would each need the
  // whole test set; they are reported as ignored rather than run.
  ignoreStatic: true,
  incremental: true,
  incrementalFile: 'test/mutation/stryker-incremental.json',
  thresholds: { high: 90, low: 80, break: 80 },
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  concurrency: 1,
  // jest's ESM module registry grows with every run in one process (4 GB and slowing after a
  // few hundred mutants): start each runner afresh now and then.
  maxTestRunnerReuse: 40,
  // Generous: the machine is shared; a slow run must not pass for a hang (a timeout counts as killed).
  timeoutMS: 60000,
  tempDirName: '.stryker-tmp',
  ignorePatterns: [
    'dist',
    'data',
    'coverage',
    'reports',
    'bench/.build',
    '.stryker-tmp',
  ],
  cleanTempDir: 'always',
};

export default config;
