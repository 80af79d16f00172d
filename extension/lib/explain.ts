// Errors in plain words, each with the way forward. The API's own message is a fallback, never HTML.
import type { ReplyError } from './replies';

export interface Explained {
  title: string;
  detail: string;
}

export interface ExplainContext {
  /** The creator a gift was for. */
  handle?: string;
  /** Where the user can act, e.g. "in the Giftstream popup (toolbar button)". */
  where?: 'popup' | 'page';
}

/** Field names of the API in the words the forms use. */
const FIELD_WORDS: Record<string, string> = {
  email: 'the email',
  password: 'the password',
  displayName: 'the display name',
  birthdate: 'the birthdate',
  handle: 'the handle',
  channels: 'the channel address',
  diamonds: 'the amount',
  destination: 'where to pay',
  message: 'the message',
  coins: 'the amount',
  label: 'the goal',
  title: 'the title',
  url: 'the server address',
};

export function explain(error: ReplyError, ctx: ExplainContext = {}): Explained {
  const creator = ctx.handle ? `@${ctx.handle}` : 'This creator';
  const inPopup = ctx.where === 'page' ? ' from the Giftstream button in your browser toolbar' : '';
  switch (error.code) {
    case 'not_live':
      return {
        title: `${creator} is not live right now`,
        detail: 'Gifts can only be sent during a live stream. Nothing was charged; try again when the stream starts.',
      };
    case 'insufficient_funds':
      return {
        title: 'Not enough coins',
        detail: `Your balance does not cover this gift. Buy coins${inPopup}, or pick a smaller gift or count.`,
      };
    case 'spending_limit':
      return {
        title: 'Spending limit reached',
        detail: `This purchase would go over a spending limit you set. Wait for the window to roll over, or change the limit under Limits${inPopup}; raising a limit takes effect after 24 hours.`,
      };
    case 'gift_limit':
      return {
        title: 'Gift cap reached',
        // The server's words say which cap, what it counts and when it frees up.
        detail: `${error.message} Nothing was charged. You can change your gift caps under Limits${inPopup}; raising one takes effect after 24 hours.`,
      };
    case 'age_restricted':
      return {
        title: 'Only for adults',
        detail:
          'You must be 18 or older to buy coins, send gifts or get paid. You can still sign in and watch streams; gifts and coins stay off until you are 18.',
      };
    case 'in_debt':
      return {
        title: 'Your wallet is in debt',
        detail: `A payment was reversed, so your balance owes coins. Your next purchase${inPopup} repays it first; until then gifts and refunds are paused.`,
      };
    case 'self_gift':
      return { title: 'That is your own channel', detail: 'Creators cannot send gifts to themselves.' };
    case 'rate_limited':
      return { title: 'Too many attempts', detail: 'Please wait a minute and try again.' };
    case 'network':
    case 'no_answer':
      return {
        title: 'No connection',
        detail: 'The Giftstream server could not be reached. Check your connection or the server address in Settings.',
      };
    case 'unauthorized':
    case 'signed_out':
      return { title: 'Please sign in', detail: `Your session ended. Sign in again${inPopup}.` };
    case 'invalid_credentials':
      return { title: 'Wrong email or password', detail: 'Check both and try again.' };
    case 'email_taken':
      return { title: 'That email already has an account', detail: 'Sign in instead, or use another email.' };
    case 'handle_taken':
      return { title: 'That handle is taken', detail: 'Pick another handle.' };
    case 'permission_denied':
      return {
        title: 'Permission needed',
        detail: 'The browser did not allow talking to that server. Try saving again and accept the prompt.',
      };
    case 'payment_provider_error':
      return {
        title: 'The payment provider did not answer',
        detail: 'Nothing was charged twice. Try again in a moment.',
      };
    case 'not_found':
      return { title: 'Not found', detail: error.message };
    case 'invalid_request':
      return {
        title: error.field ? `Check ${FIELD_WORDS[error.field] ?? `the ${error.field}`}` : 'Check what you entered',
        detail: error.message || 'Something in the form is not accepted; correct it and try again.',
      };
    default:
      return { title: 'Something went wrong', detail: error.message || 'Please try again.' };
  }
}
