import type { LiveRoomRpc, WalletRpc } from './objects/rpc';

export interface Env {
  DB: D1Database;
  WALLET: DurableObjectNamespace<WalletRpc>;
  LIVE_ROOM: DurableObjectNamespace<LiveRoomRpc>;
  ASSETS?: Fetcher;
  /** Creators' overlay images and sounds, under media/<id>. */
  MEDIA: R2Bucket;
  /** Bytes of uploads each creator may keep. */
  MEDIA_QUOTA_BYTES?: string;
  PUBLIC_URL: string;
  ADMIN_TOKEN?: string;
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  /** The signing secret of the Connect webhook endpoint (events from connected accounts), if it has its own. */
  STRIPE_CONNECT_WEBHOOK_SECRET?: string;
  SESSION_TTL_DAYS: string;
  LOGIN_FAILURES_PER_15_MIN: string;
  SIGNUPS_PER_HOUR: string;
  LOGINS_PER_MINUTE: string;
  GIFTS_PER_SECOND: string;
  WS_PER_ROOM: string;
  WS_PER_ADDRESS: string;
  /** OAuth apps that prove channel ownership (secrets); a site without both falls back to the operator. */
  TWITCH_CLIENT_ID?: string;
  TWITCH_CLIENT_SECRET?: string;
  GOOGLE_CLIENT_ID?: string;
  GOOGLE_CLIENT_SECRET?: string;
  KICK_CLIENT_ID?: string;
  KICK_CLIENT_SECRET?: string;
  /** Test configuration only, honoured only with TEST_HOOKS: JSON of per-site `{authorize, token, api}` URLs of a fake site. */
  OAUTH_ENDPOINTS_OVERRIDE?: string;
  /** Who runs this deployment and how to reach them, as the privacy page states it. */
  OPERATOR_NAME?: string;
  OPERATOR_CONTACT?: string;
  /** Stripe mode: payouts up to this many cents are approved with the request; "0" leaves every one to the operator. */
  PAYOUT_AUTO_APPROVE_CENTS?: string;
  /** Set only by the test configuration: enables fault injection and the settable clock. */
  TEST_HOOKS?: string;
  /** Set only by the benchmarks (with TEST_HOOKS): counts billed operations (worker/src/meter.ts). */
  BENCH_METER?: string;
}

export interface UserRow {
  id: string;
  email: string;
  display_name: string;
  birthdate: string;
  created_at: number;
}

export interface CreatorRow {
  user_id: string;
  handle: string;
  display_name: string;
  /** Mirrors the room's live flag. */
  live: number;
  /** Mirrors the room's live session id (null when not live, or live since before the directory kept it). */
  live_session: string | null;
}

export type AppEnv = {
  Bindings: Env;
  /** `creator` is set only behind requireCreator. */
  Variables: { user: UserRow; tokenHash: string; creator: CreatorRow; alongside: Promise<unknown>[] };
};
