import { setTimeout as sleep } from 'node:timers/promises';

/** How a unit of work is retried. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /**
   * Whether the error may be retried. Called before the attempt count is checked, so it may
   * throw a better error instead (e.g. a 409 once a conflict turns out to be real).
   */
  retryOn: (err: unknown) => boolean | Promise<boolean>;
  /** Pause before the next attempt, in ms (none when absent). */
  backoffMs?: () => number;
}

/**
 * Runs `work` until it succeeds, an error is not retryable, or the attempts are used up (then
 * the last error is thrown). The one retry loop: transactions that lose a lock race
 * (isTransientLockError), inserts of a generated unique value that collides
 * (isUniqueViolation). `work` gets the attempt number, from 1.
 */
export async function retrying<T>(
  policy: RetryPolicy,
  work: (attempt: number) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (err) {
      if (!(await policy.retryOn(err)) || attempt >= policy.attempts) throw err;
      if (policy.backoffMs) await sleep(policy.backoffMs());
    }
  }
}
