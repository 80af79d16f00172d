import { app } from './app';
import type { Env } from './env';

export { app, type AppType } from './app';
export { Wallet } from './objects/wallet';
export { LiveRoom } from './objects/live-room';

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
