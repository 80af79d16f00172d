import type { Env } from './env';

export function getWallet(env: Env, userId: string) {
  return env.WALLET.get(env.WALLET.idFromName(userId));
}

export function getLiveRoom(env: Env, handle: string) {
  return env.LIVE_ROOM.get(env.LIVE_ROOM.idFromName(handle));
}
