/**
 * The privacy page (`/privacy`): what the extension sends, to whom, what is kept and for how long, and how an
 * account is deleted. The stores ask for its address in a listing. Operator details come from configuration;
 * every configured value is escaped, since an operator's name is text, not markup.
 */
import type { Env } from './env';
import { contactHtml, escapeHtml, operatorOf, pageHtml } from './pages';

export interface PrivacyFacts {
  operatorName: string;
  operatorContact: string;
  sessionDays: number;
  stripe: boolean;
  /** Linked only where this deployment serves terms. */
  termsPath: string | null;
}

export function privacyFacts(env: Env, termsPath: string | null): PrivacyFacts {
  return {
    operatorName: operatorOf(env).name,
    operatorContact: operatorOf(env).contact,
    sessionDays: Number(env.SESSION_TTL_DAYS) || 30,
    stripe: !!env.STRIPE_SECRET_KEY,
    termsPath,
  };
}

export function privacyHtml(f: PrivacyFacts): string {
  const operator = escapeHtml(f.operatorName);
  const contact = f.operatorContact
    ? `You can reach them at ${contactHtml(f.operatorContact)}.`
    : 'The operator has not published a contact address.';
  return pageHtml(
    'Privacy',
    'For the Giftstream browser extension and this server.',
    `<section>
<h2>Who receives your data</h2>
<p>This server is run by <strong>${operator}</strong>, who decides what happens to the data below. ${contact}
It runs on Cloudflare, which carries every request to it.${f.stripe ? " Payments are made on Stripe's own checkout page: your card details go to Stripe, never to this server." : ' This server runs in sandbox mode: no real payment is taken and no payment details are asked for.'}
Nothing is sold, and nothing is sent to advertisers or analytics services. The extension talks to this server only
(and to another Giftstream server only if you choose one in its settings).</p>
</section>

<section>
<h2>What the extension sends</h2>
<table>
<tr><th>Your account</th><td>Email address, password (stored only as a salted hash), display name and birthdate when you sign up; a session token with every request while you are signed in.</td></tr>
<tr><th>The stream you are watching</th><td>On Twitch, YouTube, Kick and TikTok pages, the address of the channel the page belongs to (such as <code>twitch.tv/name</code>), to find its creator. Nothing is sent from any other site, and the server does not store these look-ups.</td></tr>
<tr><th>Gifts and purchases</th><td>Which gift you send, to whom, how many, your message (shown to the creator and on their stream unless it contains a word they blocked), and whether you sent it anonymously; the coin packs you buy.</td></tr>
<tr><th>Your limits</th><td>The spending limits and gift caps you set.</td></tr>
<tr><th>Creators also send</th><td>Their handle and channel addresses, stream titles, goals, blocked words, and the payout destination they enter.</td></tr>
</table>
<p class="muted">The extension keeps your session, a copy of your recent history and gifts waiting to be sent in your browser's own storage; signing out removes the session and the history.</p>
</section>

<section>
<h2>What is kept, and for how long</h2>
<table>
<tr><th>Account details</th><td>Until you delete your account.</td></tr>
<tr><th>Sessions</th><td>${f.sessionDays} days from sign-in, or until you sign out or change your password.</td></tr>
<tr><th>The ledger of coins and diamonds</th><td>Every purchase, gift, refund and payout is a permanent bookkeeping entry, kept after an account is deleted (money records must stay complete), but no longer tied to your name or email.</td></tr>
<tr><th>Gifts shown on a stream</th><td>A creator's room keeps its latest gifts, with the sender's display name (or "Anonymous") and message, to replay them to overlays that reconnect.</td></tr>
<tr><th>Network address</th><td>Counted against the limits on sign-ups and sign-ins that stop abuse: the address and a count that restarts every window (an hour for sign-ups, a minute for sign-ins); not linked to your account. The counter itself is not yet removed.</td></tr>
<tr><th>Sign-in attempts</th><td>A count of attempts per email address tried, restarting every 15 minutes, to slow password guessing. The counter itself is not yet removed, also after the account is deleted.</td></tr>
</table>
</section>

<section>
<h2>Deleting your account</h2>
<p>Delete your account with <code>DELETE /v1/me</code> and your password (the extension's API), or ask the operator${f.operatorContact ? ` at ${contactHtml(f.operatorContact)}` : ''}.
Deleting removes your email, display name, birthdate and password, ends every session, erases payout destinations and
drops your channel claims. Coins and diamonds left in the account are forfeited, so refund or cash out first; an account that
owes coins after a chargeback cannot be deleted until the debt is repaid.</p>
</section>
${f.termsPath ? `\n<p><a href="${escapeHtml(f.termsPath)}">Terms of service</a> — prices, refunds and what happens when an account closes.</p>\n` : ''}`,
  );
}
