// Stripe mode's payout account (Stripe Connect Express): its state in words and the way to set it up.
// Sandbox instances have none: the operator sends the money by hand to the destination typed in.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Payout, PayoutAccount as Account } from '../lib/api';
import type { ReplyError } from '../lib/replies';
import { ErrorNote, money, Note, useAsk } from './ui';

/** Each payout status, as the creator reads it. */
export const PAYOUT_STATUS_WORDS: Record<Payout['status'], string> = {
  requested: 'requested: waiting for approval',
  processing: 'processing: transfer on its way',
  paid: 'paid',
  failed: 'failed: diamonds returned',
  rejected: 'rejected: diamonds returned',
};

const ACCOUNT_WORDS: Record<Account['state'], string> = {
  none: 'Payouts go to a Stripe account. Set one up to cash out.',
  details_needed: 'Stripe needs more details before it can pay you.',
  under_review: 'Stripe is reviewing your details; payouts open once it is done.',
  enabled: 'Payouts enabled: Stripe pays your payouts to your account.',
};

/**
 * Shows the account and renders `children(stripe)` (the payout form) only when a payout can be asked for:
 * always in sandbox mode, and in Stripe mode once Stripe lets the account receive payouts.
 */
export function PayoutAccount({ children }: { children(stripe: boolean): ComponentChildren }) {
  const ask = useAsk();
  const [account, setAccount] = useState<Account | null>(null);
  const [error, setError] = useState<ReplyError | null>(null);
  const [opened, setOpened] = useState(false);

  useEffect(() => {
    void ask({ type: 'creator.payoutAccount' }).then((r) => (r.ok ? setAccount(r.data.account) : setError(r.error)));
  }, []);

  async function setUp() {
    const r = await ask({ type: 'creator.setUpPayouts' });
    if (!r.ok) return setError(r.error);
    setError(null);
    setOpened(r.data.opened);
  }

  // Until the mode is known, the form waits: in Stripe mode it would ask for a destination nobody needs.
  if (!account) return <ErrorNote error={error} context={{ where: 'popup' }} />;
  if (account.mode === 'sandbox') return <>{children(false)}</>;
  const auto = account.autoApprove.amount;
  return (
    <>
      <p class="payout-account" data-testid="payout-account">
        {ACCOUNT_WORDS[account.state]}
        {account.state === 'enabled' &&
          (auto > 0
            ? ` Payouts up to ${money(auto)} are approved at once; larger ones wait for the operator.`
            : ' Each payout waits for the operator’s approval.')}
      </p>
      {account.state !== 'enabled' && account.state !== 'under_review' && (
        <button class="primary" type="button" onClick={() => void setUp()}>
          {account.state === 'none' ? 'Set up payouts' : 'Continue setup'}
        </button>
      )}
      {opened && <Note kind="ok">Stripe’s setup opened in a new tab. Come back here when you are done.</Note>}
      <ErrorNote error={error} context={{ where: 'popup' }} />
      {account.state === 'enabled' && children(true)}
    </>
  );
}
