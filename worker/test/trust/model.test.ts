/**
 * Model-based test of the money paths (fast-check `commands`): random sequences of sign-ups, sandbox and
 * Stripe purchases, webhook deliveries (duplicated, reordered, concurrent), gifts (concurrent, replayed,
 * replayed with another body), combos, refunds, clawbacks, payouts and operator decisions run against the
 * real worker in workerd, with faults injected into the same runs. After every step the deliveries are
 * settled and the real system is compared with a pure model: balances, every account of every book, the
 * history, purchases, payouts, the room's stored event log, leaderboard, goal, earnings and the audit.
 * Faults never enter the model: the outcome with faults must be the outcome without them.
 *
 * `npm test` runs a fixed seed; `npm run soak` runs many more (SOAK_RUNS, SOAK_SEED, SOAK_PATH to replay).
 *
 * The parts, as in TigerBeetle's simulator: `model/state.ts` (the model and its pure rules),
 * `model/operations.ts` and `model/commands.ts` (the steps), `model/checker.ts` (real against model),
 * `model/arbitraries.ts` (the generators).
 */

import fc from 'fast-check';
import { afterAll, beforeAll, describe, it, vi } from 'vitest';
import { clearFaults } from '../../src/faults';
import { reportCounts } from '../helpers';
import { FakeStripe } from '../stripe-fake';
import { commands } from './model/arbitraries';
import { finish, globalAudit } from './model/checker';
import { newRun } from './model/commands';
import { type Model, outcomes, PATH, PROFILE, REPLAY_PATH, RUNS, SEED, SHRINK, STEPS, totals } from './model/state';

describe('the money paths against a model', () => {
  const stripe = new FakeStripe();
  beforeAll(() => stripe.install());
  afterAll(() => {
    vi.restoreAllMocks();
    clearFaults();
  });

  it(`${RUNS} random sequences of up to ${STEPS} steps, with faults, match the model after every step`, {
    timeout: 600_000_000,
  }, async ({ task }) => {
    const started = Date.now();
    const property = fc.asyncProperty(
      fc.commands(commands, { maxCommands: STEPS, size: 'max', ...(REPLAY_PATH ? { replayPath: REPLAY_PATH } : {}) }),
      async (cmds) => {
        let model: Model | null = null;
        const t0 = Date.now();
        await fc.asyncModelRun(async () => {
          model = await newRun({ stripe });
          if (PROFILE) console.log(`setup ${Date.now() - t0} ms`);
          return { model, real: { stripe } };
        }, cmds);
        const t1 = Date.now();
        await finish(model!, { stripe });
        if (PROFILE) console.log(`finish ${Date.now() - t1} ms`);
      },
    );
    try {
      await fc.assert(property, {
        seed: SEED,
        numRuns: RUNS,
        ...(PATH ? { path: PATH } : {}),
        endOnFailure: !SHRINK,
        verbose: 1,
      });
      await globalAudit();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const path = /path: "([^"]*)"/.exec(message)?.[1];
      const replayPath = /replayPath="([^"]*)"/.exec(message)?.[1];
      console.error(
        `\nREPLAY this failure with: SOAK_SEED=${SEED} SOAK_STEPS=${STEPS}${path ? ` SOAK_PATH=${path}` : ''}${replayPath ? ` SOAK_REPLAY_PATH=${replayPath}` : ''} npm run soak` +
          '   (add SOAK_SHRINK=1 to shrink it)\n',
      );
      throw e;
    } finally {
      console.log(`model outcomes reached: ${JSON.stringify(Object.fromEntries(Object.entries(outcomes).sort()))}`);
      reportCounts(task, 'model', {
        seed: SEED,
        sequences: totals.sequences,
        steps: totals.steps,
        requests: totals.requests,
        gifts: totals.gifts,
        webhookDeliveries: totals.webhooks,
        faultsInjected: totals.faults,
        alarmsFired: totals.alarms,
        checks: totals.checks,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      });
    }
  });
});
