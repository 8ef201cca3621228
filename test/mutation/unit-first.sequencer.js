import Sequencer from '@jest/test-sequencer';

/**
 * The mutation run's test order: the unit specs (src/**) before the core spec. Stryker bails at
 * the first failing file, so a mutant of a pure rule killed by its unit spec never pays for
 * loading the core spec's module graph (seconds per mutant).
 */
export default class UnitFirstSequencer extends Sequencer {
  sort(tests) {
    const unit = (t) => (t.path.includes('/src/') ? 0 : 1);
    return [...tests].sort(
      (a, b) => unit(a) - unit(b) || a.path.localeCompare(b.path),
    );
  }
}
