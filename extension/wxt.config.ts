import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';
import { BuildConfigError, readBuildConfig, type BuildConfig } from './build-config';

/** Stream sites whose pages get the gift button; the content script's matches. */
export const STREAM_SITES = ['*://*.twitch.tv/*', '*://*.youtube.com/*', '*://*.kick.com/*', '*://*.tiktok.com/*'];

function buildConfig(): BuildConfig {
  try {
    return readBuildConfig(process.env);
  } catch (e) {
    // One line and a failed build, not a stack trace from deep inside the bundler.
    if (!(e instanceof BuildConfigError)) throw e;
    console.error(`giftstream build: ${e.message}`);
    process.exit(1);
  }
}

const deployment = buildConfig();
if (!deployment.local && deployment.geckoId === 'extension@giftstream.dev') {
  console.warn(
    'giftstream build: GIFTSTREAM_GECKO_ID is not set; AMO will refuse the Firefox zip unless the id is your own',
  );
}

export default defineConfig({
  imports: false,
  zip: {
    // <name>-<version>-chrome.zip, -firefox.zip and -sources.zip, named after the operator's extension.
    name:
      deployment.name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '') || 'giftstream',
    // AMO rebuilds the Firefox zip from the sources zip, and the extension is built from three workspaces
    // (shared/, ui/, extension/) with the root's lock file: zip from the root, without the server side.
    sourcesRoot: '..',
    // The other workspaces' package.json files stay, so `npm ci` at the root matches the lock file.
    includeSources: ['worker/package.json', 'overlay/package.json', 'e2e/package.json'],
    excludeSources: [
      'worker/**',
      'overlay/**',
      'e2e/**',
      'bench/**',
      'docs/**',
      'scripts/**',
      'artifacts/**',
      'wrangler.toml',
      '**/dist/**',
      '**/.output/**',
      '**/stats.html',
    ],
  },
  // The default server is fixed at build time: a viewer who installs from a store never opens settings.
  vite: () => ({
    plugins: [preact()],
    define: { 'import.meta.env.GIFTSTREAM_SERVER': JSON.stringify(deployment.server) },
  }),
  manifest: ({ browser, manifestVersion }) => ({
    name: deployment.name,
    description: deployment.description,
    permissions: ['storage', 'alarms', 'activeTab'],
    // The server it was built for works out of the box; any other deployment is asked for at runtime in settings.
    host_permissions: deployment.hostPermissions,
    ...(manifestVersion === 2
      ? { optional_permissions: ['https://*/*', 'http://*/*'] }
      : { optional_host_permissions: ['https://*/*', 'http://*/*'] }),
    action: { default_title: deployment.name },
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: deployment.geckoId,
              strict_min_version: '115.0',
              // What the extension sends to the Giftstream server the user chose: the account, payments, and
              // the stream page's address (to find its creator).
              data_collection_permissions: {
                required: [
                  'authenticationInfo',
                  'personallyIdentifyingInfo',
                  'financialAndPaymentInfo',
                  'websiteActivity',
                ],
              },
            },
          },
        }
      : {}),
  }),
});
