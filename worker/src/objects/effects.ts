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
      if (fault(env, 'directoryWriteFails')) throw new Error('injected: the directory write failed');
      await indexPayout(env, effect.payout);
      return 'done';
    case 'purchase_index':
      if (fault(env, 'directoryWriteFails')) throw new Error('injected: the directory write failed');
      await indexPurchaseStatus(env, { ...effect, at: createdAt });
      return 'done';
    case 'account_closed':
      if (fault(env, 'directoryWriteFails')) throw new Error('injected: the directory write failed');
      await closeAccount(env, effect.userId);
      return 'done';
    case 'provider_refund':
      try {
        await refundPayment(env, { paymentIntent: effect.paymentRef, amount: effect.amount, refundId: effect.refundId, purchaseId: effect.purchaseId });
        return 'done';
      } catch (e) {
        if (refusedForGood(e)) return 'refused';
        throw e;
      }
    case 'stripe_transfer':
      try {
        return { transferred: await transferPayout(env, effect) };
      } catch (e) {
        if (refusedForGood(e)) return 'refused';
        throw e;
      }
    case 'stripe_transfer_reversal':
      try {
        await reverseTransfer(env, effect);
        return 'done';
      } catch (e) {
        // Already reversed (by the operator in Stripe's dashboard, say): nothing is left to take back.
        if (refusedForGood(e)) return 'done';
        throw e;
      }
  }
}
