/**
 * The one clock. Production reads the system time; tests move it (24-hour delays, 14-day windows,
 * combo windows) without waiting. Tests run in the same isolate as the worker and its objects.
 */
let offset = 0;

export function now(): number {
  return Date.now() + offset;
}

/** Test-only: moves the clock by `ms` (the worker exposes this only when TEST_HOOKS is set). */
export function advanceClock(ms: number): void {
  offset += ms;
}

export function resetClock(): void {
  offset = 0;
}

/**
 * Waits `ms` of real time (not the clock above, which tests move). `pause(0)` lets the runtime take in what arrived
 * meanwhile: under wrangler dev the worker and every object share one thread, and work that never waits on a timer
 * holds all of it.
 */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
