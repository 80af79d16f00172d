import type { Wallet } from './objects/wallet';
import type { LiveRoom } from './objects/live-room';

export interface Env {
  DB: D1Database;
  WALLET: DurableObjectNamespace<Wallet>;
  LIVE_ROOM: DurableObjectNamespace<LiveRoom>;
  ASSETS?: Fetcher;
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
  /** Stripe mode: payouts up to this many cents are approved with the request; "0" leaves every one to the operator. */
  PAYOUT_AUTO_APPROVE_CENTS?: string;
  /** Set only by the test configuration: enables fault injection and the settable clock. */
  TEST_HOOKS?: string;
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
}

export type AppEnv = {
  Bindings: Env;
  /** `creator` is set only behind requireCreator. */
  Variables: { user: UserRow; tokenHash: string; creator: CreatorRow; alongside: Promise<unknown>[] };
};
