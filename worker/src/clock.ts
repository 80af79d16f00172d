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
