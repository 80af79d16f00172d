import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { db } from '../lib/db';
import { logError } from '../lib/log';
import type { BackgroundContext } from '../features/context';
import { GiftOutbox } from '../features/gift-outbox';
import { createRouter } from '../features/router';
import { originPattern, serverSetting } from '../features/settings';
import { apiFor } from '../features/context';

const OUTBOX_ALARM = 'giftstream-outbox';

export default defineBackground(() => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const session = () => db.session.get('current').then((s) => s ?? null);

  const ctx: BackgroundContext = {
    db,
    getServer: () => serverSetting.getValue(),
    setServer: (server) => serverSetting.setValue(server),
    hasPermission: (server) => browser.permissions.contains({ origins: [originPattern(server)] }),
    session,
    fetch: (...args) => fetch(...args),
    openTab: async (url) => {
      await browser.tabs.create({ url });
    },
    now: () => Date.now(),
    outbox: new GiftOutbox({
      db,
      session,
      api: (s) => apiFor(ctx, s.server, s),
      // An alarm survives the service worker being stopped; the timer makes short backoffs short.
      schedule: (at) => {
        void browser.alarms.create(OUTBOX_ALARM, { when: Math.max(at, Date.now() + 30_000) });
        clearTimeout(timer);
        timer = setTimeout(() => void flush(), Math.max(0, at - Date.now()));
      },
    }),
  };
  const flush = () => ctx.outbox.flush().catch((e) => logError('outbox flush', e));

  const handle = createRouter(ctx, { id: browser.runtime.id, origin: browser.runtime.getURL('/') });
  browser.runtime.onMessage.addListener((message, sender, sendResponse) => {
    const reply = handle(message, sender);
    // Chrome wants sendResponse and `true`; WXT's fake browser (unit tests) passes no sendResponse.
    if (typeof sendResponse === 'function') {
      void reply.then(sendResponse);
      return true;
    }
    return reply;
  });

  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === OUTBOX_ALARM) void flush();
  });
  browser.runtime.onStartup.addListener(() => void flush());
  // Whenever the background wakes (install, restart, a message), gifts left from before are due.
  void flush();
});
