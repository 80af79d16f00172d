import { h, render } from 'preact';
import { createShadowRootUi, type ShadowRootContentScriptUi } from 'wxt/utils/content-script-ui/shadow-root';
import { defineContentScript } from 'wxt/utils/define-content-script';
import panelCss from '../components/gift-panel.css?inline';
import pageCss from '../components/page-gift.css?inline';
import { PageGift } from '../components/PageGift';
import { detectChannel } from '../features/channel-detect';
import { ask } from '../lib/ask';

export default defineContentScript({
  matches: ['*://*.twitch.tv/*', '*://*.youtube.com/*', '*://*.kick.com/*', '*://*.tiktok.com/*'],
  runAt: 'document_idle',
  cssInjectionMode: 'manual',
  async main(ctx) {
    let ui: ShadowRootContentScriptUi<HTMLElement> | null = null;
    let shown: string | null = null;

    // The button appears only when the page's channel is verified on Giftstream (page.resolve answers null
    // otherwise); it follows SPA navigation.
    async function update() {
      const channel = detectChannel(location.href, document);
      const key = channel?.key ?? null;
      if (key === shown) return;
      shown = key;
      ui?.remove();
      ui = null;
      if (!channel) return;
      const reply = await ask({ type: 'page.resolve', channelUrl: channel.url });
      if (!reply.ok || !reply.data || shown !== key || ctx.isInvalid) return;
      const resolved = reply.data;
      ui = await createShadowRootUi(ctx, {
        name: 'giftstream-gift',
        position: 'inline',
        anchor: 'body',
        mode: 'closed',
        // Typing a message must not trigger the player's keyboard shortcuts.
        isolateEvents: true,
        css: `${panelCss}\n${pageCss}`,
        onMount(container) {
          render(h(PageGift, { resolved, channelUrl: channel.url, ask }), container);
          return container;
        },
        onRemove(container) {
          if (container) render(null, container);
        },
      });
      ui.mount();
    }

    await update();
    ctx.addEventListener(window, 'wxt:locationchange', () => void update());
    // Video pages name their channel in the page, which fills in after load.
    for (const ms of [1500, 4000]) ctx.setTimeout(() => void update(), ms);
  },
});
