import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';

/** Stream sites whose pages get the gift button; the content script's matches. */
export const STREAM_SITES = ['*://*.twitch.tv/*', '*://*.youtube.com/*', '*://*.kick.com/*', '*://*.tiktok.com/*'];

export default defineConfig({
  imports: false,
  vite: () => ({ plugins: [preact()] }),
  manifest: ({ browser, manifestVersion }) => ({
    name: 'Giftstream',
    description: 'Buy coins and send gifts to the creator of the stream you are watching; every price in real money.',
    permissions: ['storage', 'alarms', 'activeTab'],
    // The local server works out of the box; any other deployment is asked for at runtime in settings.
    host_permissions: ['http://localhost/*', 'http://127.0.0.1/*'],
    ...(manifestVersion === 2 ? { optional_permissions: ['https://*/*', 'http://*/*'] } : { optional_host_permissions: ['https://*/*', 'http://*/*'] }),
    action: { default_title: 'Giftstream' },
    ...(browser === 'firefox' ? {
          browser_specific_settings: {
            gecko: {
              id: 'extension@giftstream.dev',
              strict_min_version: '115.0',
              // What the extension sends to the Giftstream server the user chose: the account, payments, and
              // the stream page's address (to find its creator).
              data_collection_permissions: { required: ['authenticationInfo', 'personallyIdentifyingInfo', 'financialAndPaymentInfo', 'websiteActivity'] },
            },
          },
        } : {}),
  }),
});
