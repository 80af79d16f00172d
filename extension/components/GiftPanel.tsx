// The gift panel, in the popup and on stream pages: each gift's art, coins and money value, a count, an
// optional message, and an explicit confirmation at or above the threshold.
import type { Ref } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Catalog, GiftBody, GiftLimits, GiftsSent } from '../lib/api';
import type { ExplainContext } from '../lib/explain';
import type { GiftView, Reply, ReplyError } from '../lib/replies';
import { GiftArt } from '@giftstream/ui';
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

type Gift = Catalog[number];
type Trusted = (e: Event) => boolean;

export function GiftPanel(p: GiftPanelProps) {
  const [selected, setSelected] = useState<string | null>(null);
  const draft = useDraft();
  const delivery = useDelivery(p, () => draft.setMessage(''));
  const { outcome, error, confirming } = delivery;
  const context = { handle: p.creator.handle, where: p.where };
  const refs = usePanelScrolling(selected, outcome, error, confirming);
  const trusted: Trusted = (e) => !p.trustedOnly || e.isTrusted;

  const header = <PanelHeader creator={p.creator} verified={p.verified} />;
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

  const gift = p.gifts.find((g) => g.id === selected) ?? null;
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
      <GiftGrid
        gifts={p.gifts}
        selected={selected}
        onPick={(e, id) => {
          if (!trusted(e)) return;
          setSelected(id);
          delivery.reset();
        }}
      />
      {gift && (
        <GiftForm
          p={p}
          gift={gift}
          draft={draft}
          delivery={delivery}
          trusted={trusted}
          formRef={refs.formRef}
          confirmRef={refs.confirmRef}
        />
      )}
      <GiftOutcome gifts={p.gifts} outcome={outcome} error={error} context={context} outcomeRef={refs.outcomeRef} />
    </div>
  );
}

/** What the viewer is writing: how many, a message, and whether to send anonymously. */
function useDraft() {
  const [count, setCount] = useState(1);
  const [message, setMessage] = useState('');
  const [anonymous, setAnonymous] = useState(false);
  return { count, setCount, message, setMessage, anonymous, setAnonymous };
}
type Draft = ReturnType<typeof useDraft>;

/** Sending a gift and following it until it settles: the confirmation step, the reply, the outcome. */
function useDelivery(p: GiftPanelProps, clearMessage: () => void) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<GiftView | null>(null);
  const [error, setError] = useState<ReplyError | null>(null);

  function settle(view: GiftView) {
    if (view.status === 'pending') return setOutcome(view);
    if (view.status === 'failed' || view.status === 'expired') {
      setOutcome(null);
      return setError(view.error ?? { code: 'failed', message: 'The gift was not sent.' });
    }
    setOutcome(view);
    clearMessage();
    p.onSent?.(view);
  }
  useFollowPending(outcome?.status === 'pending' ? outcome.key : null, p.onFollow, settle);

  async function send(body: GiftBody) {
    setBusy(true);
    setError(null);
    setOutcome(null);
    const reply = await p.onSend(body);
    setBusy(false);
    setConfirming(false);
    if (!reply.ok) return setError(reply.error);
    settle(reply.data);
  }
  /** A new gift was picked: whatever the last one showed goes. */
  function reset() {
    setConfirming(false);
    setError(null);
    setOutcome(null);
  }
  return { confirming, setConfirming, busy, outcome, error, send, reset };
}
type Delivery = ReturnType<typeof useDelivery>;

/** A gift on its way is followed to the end: sent (the balance from the reply), or refused (the reason). */
function useFollowPending(
  pendingKey: string | null,
  onFollow: GiftPanelProps['onFollow'],
  settle: (view: GiftView) => void,
) {
  useEffect(() => {
    if (!pendingKey || !onFollow) return;
    const follow = onFollow;
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
}

/** Keeps what just changed in view in a scrolling panel: the form, the outcome, the confirmation. */
function usePanelScrolling(
  selected: string | null,
  outcome: GiftView | null,
  error: ReplyError | null,
  confirming: boolean,
) {
  const formRef = useRef<HTMLFormElement>(null);
  // In a scrolling panel the form is below the grid: bring it into view once a gift is picked.
  const outcomeRef = useRef<HTMLDivElement>(null);
  useEffect(() => formRef.current?.scrollIntoView?.({ block: 'nearest' }), [selected]);
  useEffect(() => outcomeRef.current?.scrollIntoView?.({ block: 'nearest' }), [outcome, error]);
  // The confirmation replaces the send button at the foot of the form: show all of it, buttons included.
  const confirmRef = useRef<HTMLDivElement>(null);
  // Content above it can still grow while it is open (the spend meter's answer arrives): keep it in view.
  useEffect(() => {
    const el = confirmRef.current;
    if (!confirming || !el) return;
    const show = () => el.scrollIntoView?.({ block: 'nearest' });
    show();
    const content = el.closest('.gift-panel');
    if (!content || typeof ResizeObserver === 'undefined') return;
    const watch = new ResizeObserver(show);
    watch.observe(content);
    return () => watch.disconnect();
  }, [confirming]);
  return { formRef, outcomeRef, confirmRef };
}

function PanelHeader({ creator, verified }: { creator: GiftPanelProps['creator']; verified: boolean }) {
  return (
    <div class="gp-head">
      <span class="gp-to">
        Gift to <strong>{creator.displayName}</strong> <span class="muted">@{creator.handle}</span>
      </span>
      {verified ? (
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
}

function GiftGrid(props: { gifts: Catalog; selected: string | null; onPick(e: Event, id: string): void }) {
  return (
    <div class="gp-grid" role="listbox" aria-label="Gifts">
      {props.gifts.map((g) => (
        <button
          type="button"
          role="option"
          aria-selected={g.id === props.selected}
          class={`gp-gift tier-${g.tier}${g.id === props.selected ? ' selected' : ''}`}
          data-gift={g.id}
          key={g.id}
          onClick={(e) => props.onPick(e, g.id)}
        >
          <GiftArt giftId={g.id} class="gift-art" />
          <span class="gp-name">{g.name}</span>
          <span class="gp-coins">{coinsText(g.coins)}</span>
          <span class="gp-price">{money(g.price.amount)}</span>
        </button>
      ))}
    </div>
  );
}

interface GiftFormProps {
  p: GiftPanelProps;
  gift: Gift;
  draft: Draft;
  delivery: Delivery;
  trusted: Trusted;
  formRef: Ref<HTMLFormElement>;
  confirmRef: Ref<HTMLDivElement>;
}

/** The picked gift's count, message and total, and the button that sends it. */
function GiftForm({ p, gift, draft, delivery, trusted, formRef, confirmRef }: GiftFormProps) {
  const { count, message, anonymous } = draft;
  const { outcome, busy, confirming } = delivery;
  const context = { handle: p.creator.handle, where: p.where };
  const totalCoins = gift.coins * count;
  const totalPrice = gift.price.amount * count;
  const short = p.balance !== null && totalCoins > p.balance;
  const needsConfirm = totalPrice >= p.confirmThreshold;
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
  const send = () =>
    delivery.send({ giftId: gift.id, count, anonymous, ...(message.trim() ? { message: message.trim() } : {}) });

  return (
    <form ref={formRef} class="gp-form" onSubmit={(e) => e.preventDefault()}>
      <DraftFields draft={draft} />
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
          <button type="button" name="cancel" onClick={() => delivery.setConfirming(false)}>
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
            if (needsConfirm) delivery.setConfirming(true);
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
  );
}

function DraftFields({ draft }: { draft: Draft }) {
  return (
    <>
      <label>
        Count
        <input
          type="number"
          name="count"
          min={1}
          max={99}
          value={draft.count}
          onInput={(e) => draft.setCount(Math.min(99, Math.max(1, Math.floor(Number(e.currentTarget.value)) || 1)))}
        />
      </label>
      <label class="grow">
        Message (optional)
        <input
          type="text"
          name="message"
          maxLength={80}
          value={draft.message}
          placeholder="Say something nice"
          onInput={(e) => draft.setMessage(e.currentTarget.value)}
        />
      </label>
      <label class="check">
        <input
          type="checkbox"
          name="anonymous"
          checked={draft.anonymous}
          onChange={(e) => draft.setAnonymous(e.currentTarget.checked)}
        />{' '}
        Send anonymously
      </label>
    </>
  );
}

interface GiftOutcomeProps {
  gifts: Catalog;
  outcome: GiftView | null;
  error: ReplyError | null;
  context: ExplainContext;
  outcomeRef: Ref<HTMLDivElement>;
}

/** How the last gift went: refused (why), sent (the balance left), or still on its way. */
function GiftOutcome({ gifts, outcome, error, context, outcomeRef }: GiftOutcomeProps) {
  return (
    <div ref={outcomeRef}>
      <ErrorNote error={error} context={context} />
      {outcome?.status === 'sent' && outcome.result && (
        <Note kind="ok">
          Sent {gifts.find((g) => g.id === outcome.body.giftId)?.name ?? outcome.body.giftId} ×{outcome.body.count} to @
          {outcome.handle}. You have {coinsText(outcome.result.wallet.coins)} left.
        </Note>
      )}
      {outcome?.status === 'pending' && (
        <Note kind="warn">
          Connection trouble: your gift is saved and will be sent exactly once as soon as the server answers
          {outcome.attempts > 0 ? ` (tried ${outcome.attempts} ${outcome.attempts === 1 ? 'time' : 'times'})` : ''}.
        </Note>
      )}
    </div>
  );
}
