// The creator's side of the popup: go live, the goal, the overlay URL, a test alert, blocked words and the
// messages they hid, earnings and payouts.
import { useEffect, useState } from 'preact/hooks';
import type { Creator, Earnings, Payout, Rates, Room } from '../lib/api';
import type { Reply, ReplyError } from '../lib/replies';
import { BlockedWords } from './BlockedWords';
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

/** How often the open creator home asks again for the room, earnings and payouts. */
export const CREATOR_REFRESH_EVERY = 8_000;

/** Runs one creator action; on success says `done`, loads the home again and tells the popup. */
type Act = <T>(reply: Promise<Reply<T>>, done: string) => Promise<void>;

export function CreatorView({
  creator,
  rates,
  onChanged,
}: {
  creator: Creator;
  rates: Rates | null;
  onChanged(): void;
}) {
  const home = useCreatorHome(creator, onChanged);
  const { room, earnings, act } = home;
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
      <LiveSwitch live={live} act={act} />
      <GoalEditor goal={room?.goal ?? null} act={act} />
      <OverlayLink overlay={home.overlay} act={act} onNote={home.setNote} />
      {home.note && <Note kind="ok">{home.note}</Note>}
      <ErrorNote error={home.error} context={{ where: 'popup' }} />

      <BlockedWords />

      {earnings && (
        <EarningsSection earnings={earnings} payouts={home.payouts} rates={rates} onPayout={() => void home.load()} />
      )}
    </section>
  );
}

/** The room, earnings, payouts and overlay URL the creator home shows, kept fresh while it is open. */
function useCreatorHome(creator: Creator, onChanged: () => void) {
  const ask = useAsk();
  const [room, setRoom] = useState<Room | null>(null);
  const [earnings, setEarnings] = useState<Earnings | null>(null);
  const [payouts, setPayouts] = useState<Payout[]>([]);
  const [overlay, setOverlay] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<ReplyError | null>(null);

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

  const act: Act = async (reply, done) => {
    setError(null);
    setNote(null);
    const r = await reply;
    if (!r.ok) return setError(r.error);
    setNote(done);
    await load();
    onChanged();
  };
  return { room, earnings, payouts, overlay, note, setNote, error, load, act };
}

/** End stream when live; otherwise a title and Go live. The title typed stays while the switch is shown. */
function LiveSwitch({ live, act }: { live: boolean; act: Act }) {
  const ask = useAsk();
  const [title, setTitle] = useState('');
  if (live)
    return (
      <button
        type="button"
        name="endLive"
        onClick={() => void act(ask({ type: 'creator.live', live: false }), 'Stream ended.')}
      >
        End stream
      </button>
    );
  return (
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
  );
}

function GoalEditor({ goal, act }: { goal: Room['goal']; act: Act }) {
  const ask = useAsk();
  return (
    <>
      <h3>Goal</h3>
      {goal ? (
        <p>
          {goal.label}: {coins(goal.progress)} of {coins(goal.target)}{' '}
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
    </>
  );
}

/** The overlay URL to copy into OBS, rotating it (after a confirmation), and a test alert. */
function OverlayLink({ overlay, act, onNote }: { overlay: string | null; act: Act; onNote(note: string): void }) {
  const ask = useAsk();
  const [confirmRotate, setConfirmRotate] = useState(false);
  return (
    <>
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
              () => onNote('Overlay URL copied.'),
              () => onNote('Select the URL and copy it.'),
            )
          }
        >
          Copy
        </button>
      </div>
      {confirmRotate && (
        <ConfirmRotate
          onRotate={() => {
            setConfirmRotate(false);
            void act(
              ask({ type: 'creator.overlay', rotate: true }),
              'New overlay URL: update it in OBS; the old one stopped working.',
            );
          }}
          onKeep={() => setConfirmRotate(false)}
        />
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
    </>
  );
}

function ConfirmRotate({ onRotate, onKeep }: { onRotate(): void; onKeep(): void }) {
  return (
    <div class="note warn confirm" role="alertdialog" aria-label="Confirm rotating the overlay URL">
      <p>
        Rotating makes a new URL and <strong>stops the current one at once</strong>: your OBS browser source goes blank
        until you paste the new URL into it. Do it only if the URL leaked.
      </p>
      <div class="row">
        <button type="button" class="danger" name="confirmRotate" onClick={onRotate}>
          Rotate and stop the old URL
        </button>
        <button type="button" name="keepUrl" onClick={onKeep}>
          Keep the current URL
        </button>
      </div>
    </div>
  );
}

interface EarningsSectionProps {
  earnings: Earnings;
  payouts: Payout[];
  rates: Rates | null;
  onPayout(): void;
}

/** What the creator has earned (in total and per stream), who gave most, and payouts. */
function EarningsSection({ earnings, payouts, rates, onPayout }: EarningsSectionProps) {
  return (
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
      <SessionsTable sessions={earnings.sessions} />
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
          {(stripe) => <PayoutForm earnings={earnings} rates={rates} onDone={onPayout} stripe={stripe} />}
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
  );
}

/** The last ten streams: when, how many gifts, what they earned. */
function SessionsTable({ sessions }: { sessions: Earnings['sessions'] }) {
  if (sessions.length === 0) return null;
  return (
    <table class="sessions">
      <thead>
        <tr>
          <th>Stream</th>
          <th>Gifts</th>
          <th>Earned</th>
        </tr>
      </thead>
      <tbody>
        {sessions.slice(0, 10).map((s) => (
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
  );
}
