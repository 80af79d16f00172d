import { app } from './app';
import type { Env } from './env';
import { meterRequest } from './meter';

export { app, type AppType } from './app';
export { Wallet } from './objects/wallet';
export { LiveRoom } from './objects/live-room';

export default {
  fetch: (request, env, ctx) => {
    meterRequest(env);
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
