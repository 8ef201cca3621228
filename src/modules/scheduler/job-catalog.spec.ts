import { getMetadataStorage } from 'class-validator';
import { SchedulerEnv, stepSwitchName } from '../../config/scheduler.config.js';
import { parseGroups } from '../../config/user.config.js';
import { JobCatalog, JobStep } from './job-catalog.js';
import { JOB_NAMES } from './scheduler.constants.js';

/** A catalog whose services are never called: only the step names and switches matter here. */
function catalog(switches: Record<string, boolean> = {}): JobCatalog {
  const any = {} as never;
  return new JobCatalog(
    { switches } as never,
    any,
    any,
    any,
    any,
    any,
    any,
    any,
    any,
    any,
  );
}

const declared = getMetadataStorage()
  .getTargetValidationMetadatas(SchedulerEnv, '', true, false)
  .map((m) => m.propertyName);

describe('JobCatalog', () => {
  const all = catalog().allSteps();

  it('every step has its own declared JOB_<JOB>_<STEP> switch, and every switch a step', () => {
    const fromSteps = JOB_NAMES.flatMap((job) =>
      all[job].map((s: JobStep) => stepSwitchName(job, s.name)),
    ).sort();
    const switches = [...new Set(declared)]
      .filter((n) => /^JOB_[A-Z]+_/.test(n) && !n.endsWith('_CRON'))
      .filter((n) => !['JOB_BATCH', 'JOB_LOCK_TTL_MS'].includes(n))
      .sort();
    expect(fromSteps).toEqual(switches);
  });

  it('a switched-off step is left out; the others keep their order', () => {
    const steps = catalog({ JOB_CHECK_ACCOUNT_DELETION: false }).steps('check');
    expect(steps.map((s) => s.name)).toEqual([
      'ip_records',
      'level_expiry',
      'negative_balance',
    ]);
  });

  it.each([
    ['2-5', [2, 3, 4, 5]],
    ['2,3', [2, 3]],
    ['1-2,7', [1, 2, 7]],
    ['5-3', [3, 4, 5]],
  ])('node groups %s → %j', (spec, groups) => {
    expect(parseGroups(spec)).toEqual(groups);
  });
});
