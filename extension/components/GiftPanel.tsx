// The gift panel, in the popup and on stream pages: each gift's art, coins and money value, a count, an
// optional message, and an explicit confirmation at or above the threshold.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Catalog, GiftBody, GiftLimits, GiftsSent } from '../lib/api';
import type { GiftView, Reply, ReplyError } from '../lib/replies';
import { GiftArt } from '@giftstream/overlay/art';
import { SpendMeter } from './SpendMeter';
import { coins as coinsText, ErrorNote, money, Note } from './ui';

export interface GiftPanelProps {
  creator: { handle: string; displayName: string; live: boolean };
  verified: boolean;
  gifts: Catalog;
  signedIn: boolean;
  adult: boolean;
  /** The viewer's balance, when known. */
  balance: number | null;
  /** Gifts worth this many cents or more need a second, explicit click. */
  confirmThreshold: number;
  where: 'popup' | 'page';
  /** On stream pages, clicks the page itself synthesised are ignored. */
  trustedOnly?: boolean;
  onSend(body: GiftBody): Promise<Reply<GiftView>>;
  /** Asks how a gift the server has not confirmed yet is doing; the panel follows it until it settles. */
  onFollow?(key: string): Promise<Reply<GiftView>>;
  onSent?(view: GiftView): void;
  /** The spend meter as the wallet last reported it for this creator's stream, and the viewer's gift caps. */
  sent?: GiftsSent | null;
  giftLimits?: GiftLimits | null;
}

/** How often the panel looks at a gift that is still on its way. */
export const FOLLOW_EVERY = 1_500;

export function GiftPanel(p: GiftPanelProps) {
  const [selected, setSelected] = useState<string | null>(null);
  const [count, setCount] = useState(1);
  const [message, setMessage] = useState('');
  const [anonymous, setAnonymous] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<GiftView | null>(null);
  const [error, setError] = useState<ReplyError | null>(null);
  const context = { handle: p.creator.handle, where: p.where };
  const formRef = useRef<HTMLFormElement>(null);
  // In a scrolling panel the form is below the grid: bring it into view once a gift is picked.
  const outcomeRef = useRef<HTMLDivElement>(null);
  useEffect(() => formRef.current?.scrollIntoView?.({ block: 'nearest' }), [selected]);
  useEffect(() => outcomeRef.current?.scrollIntoView?.({ block: 'nearest' }), [outcome, error]);
  // The confirmation replaces the send button at the foot of the form: show all of it, buttons included.
  const confirmRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.scrollIntoView?.({ block: 'nearest' });
  }, [confirming]);

  // A gift on its way is followed to the end: sent (the balance from the reply), or refused (the reason).
  const pendingKey = outcome?.status === 'pending' ? outcome.key : null;
  useEffect(() => {
    if (!pendingKey || !p.onFollow) return;
    const follow = p.onFollow;
    let stopped = false;
    const t = setInterval(async () => {
      const r = await follow(pendingKey);
      if (stopped || !r.ok) return;
      settle(r.data);
    }, FOLLOW_EVERY);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, [pendingKey]);

  function settle(view: GiftView) {
    if (view.status === 'pending') return setOutcome(view);
    if (view.status === 'failed' || view.status === 'expired') {
      setOutcome(null);
      return setError(view.error ?? { code: 'failed', message: 'The gift was not sent.' });
    }
    setOutcome(view);
    setMessage('');
    p.onSent?.(view);
  }

  const gift = p.gifts.find((g) => g.id === selected) ?? null;
  const totalCoins = gift ? gift.coins * count : 0;
  const totalPrice = gift ? gift.price.amount * count : 0;
  const short = p.balance !== null && gift !== null && totalCoins > p.balance;
  const needsConfirm = gift !== null && totalPrice >= p.confirmThreshold;

  const trusted = (e: Event) => !p.trustedOnly || e.isTrusted;
  const waiting = outcome?.status === 'pending';
  const sentShown = outcome?.status === 'sent';
  // Why Send cannot be pressed, in words beside it (the notes above say the rest).
  const blocked = !p.creator.live
    ? `@${p.creator.handle} is not live, so gifts cannot be sent now.`
    : waiting
      ? 'Your last gift is still on its way; wait for it before sending another.'
      : short
        ? `You need ${coinsText(totalCoins)} and have ${coinsText(p.balance ?? 0)}.`
        : null;

  async function send() {
    if (!gift) return;
    setBusy(true);
    setError(null);
    setOutcome(null);
    const body: GiftBody = {
      giftId: gift.id,
      count,
      anonymous,
      ...(message.trim() ? { message: message.trim() } : {}),
    };
    const reply = await p.onSend(body);
    setBusy(false);
    setConfirming(false);
    if (!reply.ok) return setError(reply.error);
    settle(reply.data);
  }

  const header = (
    <div class="gp-head">
      <span class="gp-to">
        Gift to <strong>{p.creator.displayName}</strong> <span class="muted">@{p.creator.handle}</span>
      </span>
      {p.verified ? (
        <span class="badge verified" title="The operator verified this channel belongs to this creator">
          ✓ verified
        </span>
      ) : (
        <span class="badge unverified" title="This claim has not been verified by the operator yet">
          unverified claim
        </span>
      )}
    </div>
  );

  if (!p.signedIn)
    return (
      <div class="gift-panel">
        {header}
        <Note>
          {p.where === 'page'
            ? 'Sign in from the Giftstream button in your browser toolbar to send gifts.'
            : 'Sign in to send gifts.'}
        </Note>
      </div>
    );
  if (!p.adult)
    return (
      <div class="gift-panel">
        {header}
        <ErrorNote error={{ code: 'age_restricted', message: '' }} />
      </div>
    );

  return (
    <div class="gift-panel">
      {header}
      {!p.creator.live && <ErrorNote error={{ code: 'not_live', message: '' }} context={context} />}
      {p.balance !== null && (
        <p class="gp-balance">
          You have {coinsText(p.balance)} ({money(p.balance)}).
        </p>
      )}
      <SpendMeter handle={p.creator.handle} read={p.sent} reply={outcome?.result?.wallet.sent} caps={p.giftLimits} />
      <div class="gp-grid" role="listbox" aria-label="Gifts">
        {p.gifts.map((g) => (
          <button
            type="button"
            role="option"
            aria-selected={g.id === selected}
            class={`gp-gift tier-${g.tier}${g.id === selected ? ' selected' : ''}`}
            data-gift={g.id}
            key={g.id}
            onClick={(e) => {
              if (!trusted(e)) return;
              setSelected(g.id);
              setConfirming(false);
              setError(null);
              setOutcome(null);
            }}
          >
            <GiftArt giftId={g.id} class="gift-art" />
            <span class="gp-name">{g.name}</span>
            <span class="gp-coins">{coinsText(g.coins)}</span>
            <span class="gp-price">{money(g.price.amount)}</span>
          </button>
        ))}
      </div>
      {gift && (
        <form
          ref={formRef}
          class="gp-form"
          onSubmit={(e) => {
            e.preventDefault();
          }}
        >
          <label>
            Count
            <input
              type="number"
              name="count"
              min={1}
              max={99}
              value={count}
              onInput={(e) => setCount(Math.min(99, Math.max(1, Math.floor(Number(e.currentTarget.value)) || 1)))}
            />
          </label>
          <label class="grow">
            Message (optional)
            <input
              type="text"
              name="message"
              maxLength={80}
              value={message}
              placeholder="Say something nice"
              onInput={(e) => setMessage(e.currentTarget.value)}
            />
          </label>
          <label class="check">
            <input
              type="checkbox"
              name="anonymous"
              checked={anonymous}
              onChange={(e) => setAnonymous(e.currentTarget.checked)}
            />{' '}
            Send anonymously
          </label>
          <p class="gp-total">
            {gift.name} ×{count} = <strong>{coinsText(totalCoins)}</strong> ({money(totalPrice)})
          </p>
          {short && !sentShown && <ErrorNote error={{ code: 'insufficient_funds', message: '' }} context={context} />}
          {confirming ? (
            <div ref={confirmRef} class="gp-confirm" role="alertdialog" aria-label="Confirm gift">
              <p>
                Send {gift.name} ×{count} to @{p.creator.handle} for {coinsText(totalCoins)} ({money(totalPrice)})?
              </p>
              <button
                type="button"
                class="primary"
                name="confirm"
                disabled={busy}
                onClick={(e) => trusted(e) && void send()}
              >
                Yes, send {money(totalPrice)}
              </button>
              <button type="button" name="cancel" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </div>
          ) : (
            <button
              type="button"
              class="primary"
              name="send"
              disabled={busy || blocked !== null}
              aria-describedby={blocked ? 'gp-why' : undefined}
              onClick={(e) => {
                if (!trusted(e)) return;
                if (needsConfirm) setConfirming(true);
                else void send();
              }}
            >
              {busy ? 'Sending…' : `Send ${money(totalPrice)}`}
            </button>
          )}
          {blocked && !confirming && (
            <p class="gp-why muted" id="gp-why">
              {blocked}
            </p>
          )}
        </form>
      )}
      <div ref={outcomeRef}>
        <ErrorNote error={error} context={context} />
        {outcome?.status === 'sent' && outcome.result && (
          <Note kind="ok">
            Sent {p.gifts.find((g) => g.id === outcome.body.giftId)?.name ?? outcome.body.giftId} ×{outcome.body.count}{' '}
            to @{outcome.handle}. You have {coinsText(outcome.result.wallet.coins)} left.
          </Note>
        )}
        {outcome?.status === 'pending' && (
          <Note kind="warn">
            Connection trouble: your gift is saved and will be sent exactly once as soon as the server answers
            {outcome.attempts > 0 ? ` (tried ${outcome.attempts} ${outcome.attempts === 1 ? 'time' : 'times'})` : ''}.
          </Note>
        )}
      </div>
    </div>
  );
}
