// The popup's and the content script's side of the conversation with the background.
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
