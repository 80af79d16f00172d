// `npm test` runs browser tests in Debian's Chromium (never a downloaded one): say so at once when it is missing.
import { existsSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(path)) {
  console.error(
    `npm test needs Chromium at ${path} for the browser tests: apt-get install -y --no-install-recommends chromium (or set CHROMIUM_PATH).`,
  );
  process.exit(1);
}
