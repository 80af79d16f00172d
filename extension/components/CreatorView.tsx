// The creator's side of the popup: go live, the goal, the overlay URL, a test alert, blocked words and the
// messages they hid, earnings and payouts.
import { useEffect, useState } from 'preact/hooks';
import type { Creator, Earnings, HiddenMessage, Payout, Rates, Room } from '../lib/api';
import type { ReplyError } from '../lib/replies';
import { ChannelConnect, NotVerifiedNote } from './ChannelConnect';
import { PayoutAccount, PAYOUT_STATUS_WORDS } from './PayoutAccount';
import { coins, ErrorNote, money, Note, useAsk, useIntentKey, useRefresh, when } from './ui';

export function BecomeCreator({ onCreated }: { onCreated(c: Creator): void }) {
  const ask = useAsk();
  const [error, setError] = useState<ReplyError | null>(null);
  async function submit(e: Event) {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const channel = String(f.get('channel') ?? '').trim();
    const r = await ask({
      type: 'creator.become',
      handle: String(f.get('handle') ?? '').trim(),
      channels: channel ? [channel] : [],
    });
    if (r.ok) onCreated(r.data.creator);
    else setError(r.error);
  }
  return (
    <section class="creator">
      <p>
        Stream on Twitch, YouTube, Kick or TikTok? Become a creator to receive gifts. You keep 70% of what viewers pay.
      </p>
      <form onSubmit={submit} aria-label="Become a creator">
        <label>
          Handle
          <input name="handle" pattern="[a-z0-9_]{3,24}" placeholder="3–24 of a–z, 0–9, _" required />
        </label>
        <label>
          Your channel
          <input name="channel" placeholder="https://www.twitch.tv/yourname" />
        </label>
        <p class="muted">Gifts on your channel's page start once the channel is verified.</p>
        <button class="primary" type="submit">
          Become a creator
        </button>
      </form>
      <ErrorNote error={error} context={{ where: 'popup' }} />
    </section>
  );
}

function Channels({ channels }: { channels: Creator['channels'] }) {
  if (channels.length === 0) return null;
  const verified = channels.filter((ch) => ch.verified);
  return (
    <>
      <h3>Channels</h3>
      {verified.length > 0 && (
        <ul class="channels" aria-label="Your verified channels">
          {verified.map((ch) => (
            <li key={ch.url}>
              {ch.url} <span class="badge verified">✓ verified</span>
            </li>
          ))}
        </ul>
      )}
      {channels
        .filter((ch) => !ch.verified)
        .map((ch) => (
          <NotVerifiedNote key={ch.url} url={ch.url} />
        ))}
    </>
  );
}

/** Money per stream as bars, newest on the right. */
export function EarningsChart({ sessions }: { sessions: Earnings['sessions'] }) {
  const shown = sessions.slice(0, 12).reverse();
  if (shown.length === 0) return null;
  const max = Math.max(1, ...shown.map((s) => s.value.amount));
  const w = 300;
  const h = 60;
  const bar = Math.min(w / shown.length, 40);
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${w} ${h + 14}`}
      preserveAspectRatio="xMinYMid meet"
      role="img"
      aria-label="Earnings per stream"
    >
      {shown.map((s, i) => {
        const bh = Math.max(1, Math.round((s.value.amount / max) * h));
        return (
          <g key={s.id}>
            <title>{`${when(s.startedAt)}: ${money(s.value.amount)}`}</title>
            <rect x={i * bar + 3} y={h - bh} width={Math.max(2, bar - 6)} height={bh} rx="2" fill="#7048e8" />
            <text x={i * bar + bar / 2} y={h + 11} font-size="9" text-anchor="middle" fill="#868e96">
              {new Date(s.startedAt).toLocaleDateString('en-US', { month: 'numeric', day: 'numeric' })}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** `stripe`: Stripe pays the payout to the creator's connected account, so no destination is asked for. */
function PayoutForm({
  earnings,
  rates,
  onDone,
  stripe = false,
}: {
  earnings: Earnings;
  rates: Rates;
  onDone(): void;
  stripe?: boolean;
}) {
  const ask = useAsk();
  const [key, renewKey] = useIntentKey();
  const payable = Math.floor(earnings.diamonds / rates.payoutStep) * rates.payoutStep;
  const [diamonds, setDiamonds] = useState(String(payable));
  const [error, setError] = useState<ReplyError | null>(null);
  const [done, setDone] = useState<Payout | null>(null);
  const n = /^\d{1,12}$/.test(diamonds) ? Number(diamonds) : 0;
  const value = Math.floor((n * rates.diamondValue.numerator) / rates.diamondValue.denominator);
  // Why the button cannot be pressed, said beside it.
  const why = !/^\d{1,12}$/.test(diamonds.trim())
    ? 'Enter a whole number of diamonds.'
    : n % rates.payoutStep !== 0
      ? `Payouts go in steps of ${rates.payoutStep} diamonds: try ${(Math.floor(n / rates.payoutStep) * rates.payoutStep).toLocaleString('en-US')}.`
      : n < rates.payoutMinimumDiamonds
        ? `The minimum is ${rates.payoutMinimumDiamonds.toLocaleString('en-US')} diamonds (${money(rates.payoutMinimum.amount)}).`
        : n > earnings.diamonds
          ? `You have ${earnings.diamonds.toLocaleString('en-US')} diamonds (${money(earnings.value.amount)}).`
          : null;
  const valid = why === null;

  async function submit(e: Event) {
    e.preventDefault();
    const destination = String(new FormData(e.currentTarget as HTMLFormElement).get('destination') ?? '');
    const r = await ask({
      type: 'creator.requestPayout',
      key,
      payout: stripe ? { diamonds: n } : { diamonds: n, destination },
    });
    if (!r.ok) {
      if (!['network', 'no_answer', 'rate_limited'].includes(r.error.code)) renewKey();
      return setError(r.error);
    }
    renewKey();
    setDone(r.data.payout);
    onDone();
  }

  const requested = done && (
    <Note kind="ok">
      Payout of {money(done.amount.amount)}{' '}
      {done.status === 'processing' ? 'approved: Stripe is transferring it' : 'requested'}.{' '}
      {stripe ? 'Stripe pays it to your account' : 'The operator pays it out'}; its status shows below.
    </Note>
  );
  // A payout of everything leaves less than the minimum: the form goes, the confirmation stays.
  if (earnings.diamonds < rates.payoutMinimumDiamonds)
    return (
      <>
        {requested}
        <p class="muted">
          Payouts start at {money(rates.payoutMinimum.amount)} ({rates.payoutMinimumDiamonds.toLocaleString('en-US')}{' '}
          diamonds). You have {earnings.diamonds.toLocaleString('en-US')}.
        </p>
      </>
    );
  return (
    <form onSubmit={submit} aria-label="Request a payout">
      <label>
        Diamonds (steps of {rates.payoutStep})
        <input
          name="diamonds"
          inputMode="numeric"
          value={diamonds}
          onInput={(e) => setDiamonds(e.currentTarget.value)}
        />
      </label>
      {!stripe && (
        <label>
          Pay to (bank account or PayPal email)
          <input name="destination" minLength={3} maxLength={200} required />
        </label>
      )}
      <button class="primary" type="submit" disabled={!valid} aria-describedby={why ? 'payout-why' : undefined}>
        Request {money(value)}
      </button>
      {why && (
        <p class="muted why" id="payout-why">
          {why}
        </p>
      )}
      {requested}
      <ErrorNote error={error} context={{ where: 'popup' }} />
    </form>
  );
}

/** The server's limits on the blocked-words list (ModerationRequest). */
const MAX_WORDS = 200;
const MAX_WORD_LENGTH = 40;

/** Words typed into the box: separated by commas, trimmed, empty ones dropped. */
function splitWords(input: string): string[] {
  return input
    .split(',')
    .map((w) => w.normalize('NFC').trim())
    .filter(Boolean);
}

/**
 * The blocked-words list: shown as the server keeps it (normalized and sorted), edited locally (add with
 * Enter or commas, remove), then saved as a whole. Below it, the gift messages a blocked word hid.
 */
function Moderation() {
  const ask = useAsk();
  const [saved, setSaved] = useState<string[] | null>(null);
  const [words, setWords] = useState<string[]>([]);
  const [hidden, setHidden] = useState<HiddenMessage[]>([]);
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<ReplyError | null>(null);
  const [saving, setSaving] = useState(false);

  async function load() {
    const r = await ask({ type: 'creator.moderation' });
    if (!r.ok) return setError(r.error);
    setError(null);
    setSaved(r.data.blockedWords);
    setWords(r.data.blockedWords);
    setHidden(r.data.hidden);
  }
  useEffect(() => void load(), []);

  /** Adds words to the list; returns the list, or null (and says why) when one cannot be added. */
  function add(input: string, list = words): string[] | null {
    const next = [...list];
    for (const w of splitWords(input)) {
      if (w.length > MAX_WORD_LENGTH) {
        setProblem(`“${w}” is longer than ${MAX_WORD_LENGTH} characters.`);
        return null;
      }
      if (next.some((x) => x.toLowerCase() === w.toLowerCase())) continue;
      if (next.length >= MAX_WORDS) {
        setProblem(`The list holds at most ${MAX_WORDS} words.`);
        return null;
      }
      next.push(w);
    }
    setProblem(null);
    setNote(null);
    setWords(next);
    return next;
  }

  function onInput(value: string) {
    // A comma ends a word: what comes before it joins the list, the rest stays in the box.
    const cut = value.lastIndexOf(',');
    if (cut >= 0 && add(value.slice(0, cut))) return setDraft(value.slice(cut + 1).trimStart());
    setDraft(value);
  }

  function commit() {
    if (add(draft)) setDraft('');
  }

  async function save() {
    // A word still in the box is part of what the creator means to save.
    const list = draft.trim() ? add(draft) : words;
    if (!list) return;
    setDraft('');
    setSaving(true);
    setError(null);
    setNote(null);
    const r = await ask({ type: 'creator.setBlockedWords', blockedWords: list });
    setSaving(false);
    if (!r.ok) return setError(r.error);
    setSaved(r.data.blockedWords);
    setWords(r.data.blockedWords);
    setNote(
      r.data.blockedWords.length
        ? 'Saved. Gifts whose message contains one of these words are shown without the message.'
        : 'Saved. No words are blocked.',
    );
  }

  const changed =
    saved === null || words.length !== saved.length || words.some((w, i) => w !== saved[i]) || draft.trim() !== '';
  return (
    <>
      <h3>Blocked words</h3>
      <p class="muted">
        A gift whose message contains one of these words is shown without its message. Matching ignores case, accents,
        spacing tricks and look-alike letters.
      </p>
      {words.length > 0 ? (
        <ul class="chips" aria-label="Blocked words">
          {words.map((w) => (
            <li key={w} class="chip">
              {w}
              <button
                type="button"
                class="link"
                aria-label={`Remove ${w}`}
                onClick={() => {
                  setNote(null);
                  setWords(words.filter((x) => x !== w));
                }}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{saved === null ? 'Loading…' : 'No blocked words.'}</p>
      )}
      <div class="row">
        <input
          class="grow"
          name="blockedWord"
          aria-label="Add blocked words"
          placeholder="Words, separated by commas or Enter"
          value={draft}
          onInput={(e) => onInput(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key !== 'Enter' || e.isComposing) return;
            e.preventDefault();
            commit();
          }}
        />
        <button type="button" disabled={!draft.trim()} onClick={commit}>
          Add
        </button>
        <button
          type="button"
          class="primary"
          name="saveBlockedWords"
          disabled={saving || saved === null || !changed}
          onClick={() => void save()}
        >
          Save
        </button>
      </div>
      <p class="muted">
        {words.length} of {MAX_WORDS} words
      </p>
      {problem && <Note kind="warn">{problem}</Note>}
      {note && <Note kind="ok">{note}</Note>}
      <ErrorNote error={error} context={{ where: 'popup' }} />

      <h3>Hidden messages</h3>
      {hidden.length === 0 ? (
        <p class="muted">No messages hidden.</p>
      ) : (
        <ul class="hidden-messages" aria-label="Hidden messages">
          {hidden.map((h) => (
            <li key={h.giftId}>
              <span class="muted">{when(h.at)}</span> <strong>{h.from}</strong>: <q>{h.message}</q>{' '}
              <span class="muted">hidden for “{h.word}”</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** How often the open creator home asks again for the room, earnings and payouts. */
export const CREATOR_REFRESH_EVERY = 8_000;

export function CreatorView({
  creator,
  rates,
  onChanged,
}: {
  creator: Creator;
  rates: Rates | null;
  onChanged(): void;
}) {
  const ask = useAsk();
  const [room, setRoom] = useState<Room | null>(null);
  const [earnings, setEarnings] = useState<Earnings | null>(null);
  const [payouts, setPayouts] = useState<Payout[]>([]);
  const [overlay, setOverlay] = useState<string | null>(null);
  const [title, setTitle] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<ReplyError | null>(null);
  const [confirmRotate, setConfirmRotate] = useState(false);

  async function load(withOverlay = true) {
    const [r, e, p, o] = await Promise.all([
      ask({ type: 'room.get', handle: creator.handle }),
      ask({ type: 'creator.earnings' }),
      ask({ type: 'creator.payouts' }),
      withOverlay ? ask({ type: 'creator.overlay', rotate: false }) : null,
    ]);
    if (r.ok) setRoom(r.data.room);
    if (e.ok) setEarnings(e.data);
    if (p.ok) setPayouts(p.data.payouts);
    if (o?.ok) setOverlay(o.data.overlayUrl);
    const failed = [r, e, p, o].find((x) => x && !x.ok);
    setError(failed && !failed.ok ? failed.error : null);
  }
  // Gifts keep arriving while the creator home is open: the room, earnings and payouts are asked again on
  // focus and every few seconds, so nothing on it is older than that.
  useEffect(() => void load(), [creator.handle]);
  useRefresh(CREATOR_REFRESH_EVERY, () => void load(false), [creator.handle]);

  async function act<T>(p: Promise<{ ok: true; data: T } | { ok: false; error: ReplyError }>, done: string) {
    setError(null);
    setNote(null);
    const r = await p;
    if (!r.ok) return setError(r.error);
    setNote(done);
    await load();
    onChanged();
  }

  const live = room?.live.live ?? creator.live;
  return (
    <section class="creator">
      <div class="row">
        <span class="grow">
          <strong>@{creator.handle}</strong>{' '}
          <span class={`badge ${live ? 'live' : ''}`}>{live ? 'LIVE' : 'offline'}</span>
        </span>
      </div>
      <Channels channels={creator.channels} />
      <ChannelConnect channels={creator.channels} />
      {live ? (
        <button
          type="button"
          name="endLive"
          onClick={() => void act(ask({ type: 'creator.live', live: false }), 'Stream ended.')}
        >
          End stream
        </button>
      ) : (
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            void act(
              ask({ type: 'creator.live', live: true, ...(title.trim() ? { title: title.trim() } : {}) }),
              'You are live. Gifts can be sent now.',
            );
          }}
        >
          <input
            class="grow"
            name="title"
            maxLength={100}
            placeholder="Stream title (optional)"
            value={title}
            onInput={(e) => setTitle(e.currentTarget.value)}
          />
          <button class="primary" type="submit" name="goLive">
            Go live
          </button>
        </form>
      )}

      <h3>Goal</h3>
      {room?.goal ? (
        <p>
          {room.goal.label}: {coins(room.goal.progress)} of {coins(room.goal.target)}{' '}
          <button
            type="button"
            class="link"
            onClick={() => void act(ask({ type: 'creator.goal', goal: null }), 'Goal cleared.')}
          >
            Clear
          </button>
        </p>
      ) : (
        <p class="muted">No goal set.</p>
      )}
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget as HTMLFormElement);
          const target = Number(f.get('goalCoins'));
          void act(
            ask({
              type: 'creator.goal',
              goal: {
                label: String(f.get('goalLabel') ?? '').trim(),
                coins: Number.isSafeInteger(target) ? target : 0,
              },
            }),
            'Goal set.',
          );
        }}
      >
        <input class="grow" name="goalLabel" maxLength={60} placeholder="New mic" required />
        <input name="goalCoins" inputMode="numeric" pattern="\d{1,9}" placeholder="coins" size={7} required />
        <button type="submit">Set goal</button>
      </form>

      <h3>Overlay</h3>
      <p class="muted">Add this URL as a browser source in OBS. Keep it secret: anyone with it can show your alerts.</p>
      <div class="row">
        <input class="grow" readOnly value={overlay ?? ''} aria-label="Overlay URL" name="overlayUrl" />
        <button
          type="button"
          disabled={!overlay}
          onClick={() =>
            overlay &&
            void navigator.clipboard.writeText(overlay).then(
              () => setNote('Overlay URL copied.'),
              () => setNote('Select the URL and copy it.'),
            )
          }
        >
          Copy
        </button>
      </div>
      {confirmRotate && (
        <div class="note warn confirm" role="alertdialog" aria-label="Confirm rotating the overlay URL">
          <p>
            Rotating makes a new URL and <strong>stops the current one at once</strong>: your OBS browser source goes
            blank until you paste the new URL into it. Do it only if the URL leaked.
          </p>
          <div class="row">
            <button
              type="button"
              class="danger"
              name="confirmRotate"
              onClick={() => {
                setConfirmRotate(false);
                void act(
                  ask({ type: 'creator.overlay', rotate: true }),
                  'New overlay URL: update it in OBS; the old one stopped working.',
                );
              }}
            >
              Rotate and stop the old URL
            </button>
            <button type="button" name="keepUrl" onClick={() => setConfirmRotate(false)}>
              Keep the current URL
            </button>
          </div>
        </div>
      )}
      <div class="row">
        <button type="button" name="rotate" disabled={confirmRotate} onClick={() => setConfirmRotate(true)}>
          Rotate URL…
        </button>
        <button
          type="button"
          name="testAlert"
          onClick={() => void act(ask({ type: 'creator.testAlert' }), 'Test alert sent to your overlay.')}
        >
          Test alert
        </button>
        <button
          type="button"
          name="studio"
          onClick={() => void act(ask({ type: 'creator.studio' }), 'The overlay studio opened in a new tab.')}
        >
          Style alerts
        </button>
      </div>
      {note && <Note kind="ok">{note}</Note>}
      <ErrorNote error={error} context={{ where: 'popup' }} />

      <Moderation />

      {earnings && (
        <>
          <h3>Earnings</h3>
          <div class="balance">
            <div class="big" data-testid="earnings">
              {money(earnings.value.amount)}
            </div>
            <div class="muted">
              {earnings.diamonds.toLocaleString('en-US')} diamonds; 1 diamond ={' '}
              {rates ? `${rates.diamondValue.numerator}/${rates.diamondValue.denominator}` : '7/10'} of a cent
              {earnings.pendingPayouts.diamonds > 0
                ? `; ${money(earnings.pendingPayouts.amount.amount)} in payouts on the way`
                : ''}
            </div>
          </div>
          <EarningsChart sessions={earnings.sessions} />
          {earnings.sessions.length > 0 && (
            <table class="sessions">
              <thead>
                <tr>
                  <th>Stream</th>
                  <th>Gifts</th>
                  <th>Earned</th>
                </tr>
              </thead>
              <tbody>
                {earnings.sessions.slice(0, 10).map((s) => (
                  <tr key={s.id}>
                    <td>
                      {when(s.startedAt)}
                      {s.title ? ` · ${s.title}` : ''}
                    </td>
                    <td>{s.gifts.toLocaleString('en-US')}</td>
                    <td>{money(s.value.amount)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {earnings.topSupporters.length > 0 && (
            <>
              <h3>Top supporters</h3>
              <ol class="supporters">
                {earnings.topSupporters.map((s) => (
                  <li key={s.name}>
                    {s.name} <span class="muted">{coins(s.coins)}</span>
                  </li>
                ))}
              </ol>
            </>
          )}
          <h3>Payouts</h3>
          {rates && (
            <PayoutAccount>
              {(stripe) => <PayoutForm earnings={earnings} rates={rates} onDone={() => void load()} stripe={stripe} />}
            </PayoutAccount>
          )}
          {payouts.length > 0 && (
            <ul class="payouts">
              {payouts.map((p) => (
                <li key={p.id}>
                  {when(p.createdAt)}: {money(p.amount.amount)} to {p.destination} —{' '}
                  <strong>{PAYOUT_STATUS_WORDS[p.status]}</strong>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
