import { describe, expect, it } from 'vitest';
import { reconcile } from './reconcile';

const payout = { id: 'p1', status: 'paid' as const, diamonds: 1430 };

describe('reconcile', () => {
  it('finds nothing when the directory agrees with the wallet', () => {
    expect(
      reconcile(
        { closedAt: null, payouts: [payout], pendingEffects: [], flagged: [] },
        { deleted: false, payouts: [payout], flagged: [] },
      ),
    ).toEqual([]);
  });

  it('reports a missing row, another status or amount, and a row the wallet does not hold', () => {
    expect(
      reconcile(
        { closedAt: null, payouts: [payout], pendingEffects: [], flagged: [] },
        { deleted: false, payouts: [], flagged: [] },
      ),
    ).toEqual(['payout p1 (paid) is missing from the payout index']);
    expect(
      reconcile(
        { closedAt: null, payouts: [payout], pendingEffects: [], flagged: [] },
        { deleted: false, payouts: [{ ...payout, status: 'requested' }], flagged: [] },
      ),
    ).toEqual(['payout p1 is paid for 1430 diamonds in the wallet but requested for 1430 in the index']);
    expect(
      reconcile(
        { closedAt: null, payouts: [], pendingEffects: [], flagged: [] },
        { deleted: false, payouts: [payout], flagged: [] },
      ),
    ).toEqual(['payout p1 is in the index but not in the wallet']);
  });

  it('allows what the outbox is still applying, and nothing else', () => {
    expect(
      reconcile(
        { closedAt: 5, payouts: [payout], pendingEffects: ['payout:p1', 'account_closed'], flagged: [] },
        { deleted: false, payouts: [], flagged: [] },
      ),
    ).toEqual([]);
    expect(
      reconcile(
        { closedAt: 5, payouts: [], pendingEffects: [], flagged: [] },
        { deleted: false, payouts: [], flagged: [] },
      ),
    ).toEqual(['the wallet is closed but the directory still has the account']);
    expect(
      reconcile(
        { closedAt: null, payouts: [], pendingEffects: [], flagged: [] },
        { deleted: true, payouts: [], flagged: [] },
      ),
    ).toEqual(['the directory deleted the account but its wallet is open']);
  });

  it('reports a flagged purchase the operator is not shown, and one listed that the wallet does not flag', () => {
    const none = { closedAt: null, payouts: [], pendingEffects: [] };
    expect(reconcile({ ...none, flagged: ['pu1'] }, { deleted: false, payouts: [], flagged: ['pu1'] })).toEqual([]);
    expect(
      reconcile(
        { ...none, flagged: ['pu1'], pendingEffects: ['purchase:pu1'] },
        { deleted: false, payouts: [], flagged: [] },
      ),
    ).toEqual([]);
    expect(reconcile({ ...none, flagged: ['pu1'] }, { deleted: false, payouts: [], flagged: [] })).toEqual([
      'purchase pu1 is flagged in the wallet but not listed for the operator',
    ]);
    expect(reconcile({ ...none, flagged: [] }, { deleted: false, payouts: [], flagged: ['pu2'] })).toEqual([
      'purchase pu2 is listed as flagged but the wallet does not flag it',
    ]);
  });
});
