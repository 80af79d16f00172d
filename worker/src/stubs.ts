import type { Env } from './env';
import { meterStub } from './meter';

export function getWallet(env: Env, userId: string) {
  return meterStub(env, 'Wallet', env.WALLET.get(env.WALLET.idFromName(userId)));
}

export function getLiveRoom(env: Env, handle: string) {
  return meterStub(env, 'LiveRoom', env.LIVE_ROOM.get(env.LIVE_ROOM.idFromName(handle)));
}
