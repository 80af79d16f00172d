// How the popup and the content script ask the background something: one of the messages in messages.ts,
// answered with its reply from replies.ts (or `no_answer` when the background does not answer).
import { browser } from 'wxt/browser';
import type { Message } from './messages';
import type { Replies, Reply } from './replies';

export type Ask = <M extends Message>(message: M) => Promise<Reply<Replies[M['type']]>>;

export const ask: Ask = async (message) => {
  try {
    const reply = await browser.runtime.sendMessage(message);
    if (reply && typeof reply === 'object' && 'ok' in reply) return reply;
    return { ok: false, error: { code: 'no_answer', message: 'The extension did not answer; try again.' } };
  } catch (e) {
    return { ok: false, error: { code: 'no_answer', message: 'The extension did not answer; try again.' } };
  }
};
