import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../app.module.js';
import { JobRunnerService } from '../modules/scheduler/job-runner.service.js';
import {
  isJobName,
  JOB_NAMES,
  type JobRunResult,
} from '../modules/scheduler/scheduler.constants.js';
import { loadCliEnvironment, runCli } from './cli.util.js';

const USAGE = `usage: npm run job -- <${JOB_NAMES.join('|')}> [--dry-run]`;

/** Exit codes: 0 ok, 1 failed or partial, 2 another instance holds the lock, 64 bad usage. */
function exitCode(result: JobRunResult): number {
  if (result.status === 'ok') return 0;
  if (result.status === 'skipped_locked') return 2;
  return 1;
}

function print(result: JobRunResult): void {
  const mode = result.dry_run ? ' (dry run: nothing changed)' : '';
  console.log(`job ${result.job}: ${result.status}${mode}, run ${result.id}`);
  const width = Math.max(4, ...Object.keys(result.steps).map((s) => s.length));
  for (const [name, step] of Object.entries(result.steps)) {
    const verb = result.dry_run ? 'would change' : 'changed';
    const line = `  ${name.padEnd(width)}  ${verb} ${step.affected} row(s) in ${step.duration_ms} ms`;
    console.log(step.error ? `${line}  FAILED: ${step.error}` : line);
  }
}

/**
 * `npm run job -- <daily|hourly|check|clean> [--dry-run]`: runs one maintenance job now, under
 * the same lock as the cron triggers, prints each step's count and exits non-zero unless ok.
 */
runCli(async () => {
  const args = process.argv.slice(2);
  const dryRun = args.includes('--dry-run');
  const names = args.filter((a) => !a.startsWith('--'));
  const unknownFlags = args.filter(
    (a) => a.startsWith('--') && a !== '--dry-run',
  );
  if (names.length !== 1 || !isJobName(names[0]) || unknownFlags.length > 0) {
    console.error(USAGE);
    return 64;
  }
  loadCliEnvironment();
  // This process runs one job and exits: it must not start the cron triggers as well.
  process.env.SCHEDULER_ENABLED = 'false';
  const app = await NestFactory.createApplicationContext(AppModule, {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  try {
    const result = await app
      .get(JobRunnerService)
      .run(names[0], { dryRun, trigger: 'manual' });
    print(result);
    return exitCode(result);
  } finally {
    await app.close();
  }
});
