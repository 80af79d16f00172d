import { describe, expect, it } from 'vitest';
import { ALL_ACCOUNTS, Account } from './ledger';

describe('ledger accounts', () => {
  // Wallets store these strings in every entry and balance row: renaming one would orphan stored books.
  it('keep their stored names', () => {
    expect(ALL_ACCOUNTS).toEqual([
      'coins:user',
      'coins:external',
      'coins:in_transit',
      'coins:refund_pending',
      'coins:platform',
      'diamonds:user',
      'diamonds:platform',
      'diamonds:payout_pending',
      'diamonds:external',
      'diamonds:forfeited',
    ]);
  });

  it('are named in code after their stored names', () => {
    const camel = (stored: string) => stored.replace(/[:_]([a-z])/g, (_, c: string) => c.toUpperCase());
    for (const [key, stored] of Object.entries(Account)) expect(key, stored).toBe(camel(stored));
  });
});
