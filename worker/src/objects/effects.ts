import type { EffectOutcome, EffectRecord } from '@giftstream/shared';
import { closeAccount } from '../directory/accounts';
import { indexPayout } from '../directory/payouts';
import { indexPurchaseStatus } from '../directory/purchases';
import type { Env } from '../env';
import { fault } from '../faults';
import { refundPayment, refusedForGood, reverseTransfer, transferPayout } from '../payments/stripe';

/**
 * Applies one effect from a wallet's outbox. Every one is idempotent on the other side (D1 upserts keyed
 * by id; Stripe's Idempotency-Key), so a retry after a crash or a lost reply changes nothing twice.
 * Throws when it should be retried; answers 'refused' only when the provider said no for good.
 */
export async function applyEffect(env: Env, { effect, createdAt }: EffectRecord): Promise<EffectOutcome> {
  switch (effect.kind) {
    case 'payout_index':
      return directory(env, () => indexPayout(env, effect.payout));
    case 'purchase_index':
      return directory(env, () => indexPurchaseStatus(env, { ...effect, at: createdAt }));
    case 'account_closed':
      return directory(env, () => closeAccount(env, effect.userId));
    case 'provider_refund':
      return stripe(async () => {
        await refundPayment(env, {
          paymentIntent: effect.paymentRef,
          amount: effect.amount,
          refundId: effect.refundId,
          purchaseId: effect.purchaseId,
        });
        return 'done';
      }, 'refused');
    case 'stripe_transfer':
      return stripe(async () => ({ transferred: await transferPayout(env, effect) }), 'refused');
    case 'stripe_transfer_reversal':
      // Refused for good means already reversed (by the operator in Stripe's dashboard, say): nothing is left to take back.
      return stripe(async () => {
        await reverseTransfer(env, effect);
        return 'done';
      }, 'done');
  }
}

/** A directory (D1) write; the fault switch stands in for D1 failing. */
async function directory(env: Env, write: () => Promise<unknown>): Promise<EffectOutcome> {
  if (fault(env, 'directoryWriteFails')) throw new Error('injected: the directory write failed');
  await write();
  return 'done';
}

/** A Stripe call: what to answer when Stripe refuses it for good; anything else throws, to be retried. */
async function stripe(call: () => Promise<EffectOutcome>, onRefusal: EffectOutcome): Promise<EffectOutcome> {
  try {
    return await call();
  } catch (e) {
    if (refusedForGood(e)) return onRefusal;
    throw e;
  }
}
