import { describe, expect, it } from 'vitest';
import { reconcile } from './reconcile';

const payout = { id: 'p1', status: 'paid' as const, diamonds: 1430 };

describe('reconcile', () => {
  it('finds nothing when the directory agrees with the wallet', () => {
    expect(reconcile({ closedAt: null, payouts: [payout], pendingEffects: [] }, { deleted: false, payouts: [payout] })).toEqual([]);
  });

  it('reports a missing row, another status or amount, and a row the wallet does not hold', () => {
    expect(reconcile({ closedAt: null, payouts: [payout], pendingEffects: [] }, { deleted: false, payouts: [] })).toEqual(['payout p1 (paid) is missing from the payout index']);
    expect(reconcile({ closedAt: null, payouts: [payout], pendingEffects: [] }, { deleted: false, payouts: [{ ...payout, status: 'requested' }] })).toEqual([
      'payout p1 is paid for 1430 diamonds in the wallet but requested for 1430 in the index',
    ]);
    expect(reconcile({ closedAt: null, payouts: [], pendingEffects: [] }, { deleted: false, payouts: [payout] })).toEqual(['payout p1 is in the index but not in the wallet']);
  });

  it('allows what the outbox is still applying, and nothing else', () => {
    expect(reconcile({ closedAt: 5, payouts: [payout], pendingEffects: ['payout:p1', 'account_closed'] }, { deleted: false, payouts: [] })).toEqual([]);
    expect(reconcile({ closedAt: 5, payouts: [], pendingEffects: [] }, { deleted: false, payouts: [] })).toEqual(['the wallet is closed but the directory still has the account']);
    expect(reconcile({ closedAt: null, payouts: [], pendingEffects: [] }, { deleted: true, payouts: [] })).toEqual(['the directory deleted the account but its wallet is open']);
  });
});
