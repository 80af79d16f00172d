import type { Env } from './env';

/**
 * Fault switches for tests: each counts down the number of times it fires. They act only where the
 * test configuration sets TEST_HOOKS; production never reads them.
 */
export const faults = {
  /** The room refuses the next K deliveries from viewers' wallets. */
  roomRefusesDelivery: 0,
  /** The room logs the next K deliveries, then restarts before acknowledging. */
  roomRestartsAfterLogging: 0,
  /** The creator's wallet refuses the next K diamond batches. */
  walletRefusesCredit: 0,
  /** The viewer's wallet throws right after the next K gift debits commit. */
  walletThrowsAfterDebit: 0,
  /** A wallet stops right after the next K commits that queued an effect, before applying any (a crash between the two). */
  walletStopsBeforeEffects: 0,
  /** The next K directory writes from a wallet's outbox fail. */
  directoryWriteFails: 0,
  /** The next K times a wallet lists itself in the directory before its first change, the write fails. */
  walletListingFails: 0,
};

export function fault(env: Env, name: keyof typeof faults): boolean {
  if (env.TEST_HOOKS !== '1' || faults[name] <= 0) return false;
  faults[name]--;
  return true;
}

export function clearFaults(): void {
  for (const k of Object.keys(faults) as (keyof typeof faults)[]) faults[k] = 0;
}
