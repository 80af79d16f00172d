// Stored options. The server is the one setting; a new version of an option comes with a migration here.
import { storage } from 'wxt/utils/storage';
import { DEFAULT_SERVER } from '../lib/server-url';

export { DEFAULT_SERVER, normalizeServer, originPattern } from '../lib/server-url';

export const serverSetting = storage.defineItem<string>('local:server', {
  fallback: DEFAULT_SERVER,
  version: 1,
  migrations: {},
});
