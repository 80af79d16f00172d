import type { ZodType } from 'zod';
import * as S from '@giftstream/shared';

/** Who may call a route; the authorization matrix and the OpenAPI document are generated from this. */
export type Access = 'public' | 'user' | 'adult' | 'creator' | 'admin' | 'stripe';

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Hono's path syntax, as mounted. */
  path: string;
  summary: string;
  access: Access;
  /** Requires an Idempotency-Key header. */
  idempotent?: boolean;
  body?: ZodType;
  query?: ZodType;
  response?: ZodType;
  status?: number;
  /** Not JSON: a WebSocket, CSV, HTML page. */
  produces?: string;
}

/**
 * Every route of the API, with the very zod schemas the handlers validate with. A test checks this table
 * against the app's own routes both ways, so a new route cannot be added without an entry here.
 */
export const ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/v1/health', summary: 'Liveness', access: 'public' },
  {
    method: 'GET',
    path: '/v1/rates',
    summary: 'The rate card in force, in numbers and plain words, and the next scheduled version',
    access: 'public',
  },
  { method: 'GET', path: '/v1/gifts', summary: 'The gift catalog with prices and tiers', access: 'public' },
  { method: 'GET', path: '/v1/openapi.json', summary: 'This document', access: 'public' },
  {
    method: 'GET',
    path: '/v1/payout-account/done',
    summary: "Where Stripe's Connect onboarding returns the creator",
    access: 'public',
    produces: 'text/html',
  },
  {
    method: 'GET',
    path: '/v1/checkout/done',
    summary: 'Where Stripe Checkout returns the viewer',
    access: 'public',
    produces: 'text/html',
  },
  {
    method: 'POST',
    path: '/v1/auth/signup',
    summary: 'Create an account (birthdate fixed afterwards)',
    access: 'public',
    body: S.SignupRequest,
    response: S.AuthResponse,
    status: 201,
  },
  {
    method: 'POST',
    path: '/v1/auth/login',
    summary: 'Sign in',
    access: 'public',
    body: S.LoginRequest,
    response: S.AuthResponse,
  },
  { method: 'POST', path: '/v1/auth/logout', summary: 'End this session', access: 'user', status: 204 },
  { method: 'GET', path: '/v1/me', summary: 'The user, wallet summary and creator profile', access: 'user' },
  { method: 'PATCH', path: '/v1/me', summary: 'Change the display name', access: 'user', body: S.UpdateMeRequest },
  {
    method: 'DELETE',
    path: '/v1/me',
    summary: 'Delete the account (personal data removed, ledger kept)',
    access: 'user',
    body: S.DeleteAccountRequest,
  },
  {
    method: 'POST',
    path: '/v1/me/password',
    summary: 'Change the password; other sessions end',
    access: 'user',
    body: S.PasswordChangeRequest,
  },
  {
    method: 'GET',
    path: '/v1/wallet',
    summary: 'Coins, diamonds, debt, limits and spending so far',
    access: 'user',
    response: S.WalletResponse,
  },
  {
    method: 'GET',
    path: '/v1/wallet/history',
    summary: 'Ledger entries, newest first, with receipts',
    access: 'user',
    query: S.HistoryQuery,
    response: S.HistoryResponse,
  },
  {
    method: 'GET',
    path: '/v1/wallet/history.csv',
    summary: 'The whole history as CSV',
    access: 'user',
    produces: 'text/csv',
  },
  {
    method: 'PUT',
    path: '/v1/wallet/limits',
    summary: 'Set spending limits (lowering now, raising after 24 h)',
    access: 'user',
    body: S.LimitsRequest,
  },
  {
    method: 'POST',
    path: '/v1/purchases',
    summary: 'Buy coins (sandbox: at once; Stripe: Checkout)',
    access: 'adult',
    idempotent: true,
    body: S.PurchaseRequest,
    response: S.PurchaseResponse,
    status: 201,
  },
  { method: 'GET', path: '/v1/purchases/:id', summary: 'One of your purchases', access: 'user' },
  {
    method: 'POST',
    path: '/v1/purchases/:id/refund',
    summary: 'Refund unspent coins within 14 days',
    access: 'user',
    idempotent: true,
    body: S.EmptyRequest,
    response: S.RefundResponse,
  },
  { method: 'POST', path: '/v1/webhooks/stripe', summary: 'Stripe events (signature verified)', access: 'stripe' },
  {
    method: 'POST',
    path: '/v1/creators',
    summary: 'Become a creator and claim channels',
    access: 'adult',
    body: S.CreatorRequest,
    response: S.CreatorResponse,
    status: 201,
  },
  {
    method: 'GET',
    path: '/v1/creators/:handle',
    summary: 'A public creator profile',
    access: 'public',
    response: S.CreatorResponse,
  },
  {
    method: 'GET',
    path: '/v1/channels/resolve',
    summary: 'The creator whose verified claim covers a stream page (404 if none)',
    access: 'public',
    query: S.ResolveQuery,
    response: S.ResolveResponse,
  },
  {
    method: 'GET',
    path: '/v1/creator/channels/connect',
    summary: 'Sites where a channel can be proven by signing in, and which are set up',
    access: 'creator',
    response: S.ConnectSitesResponse,
  },
  {
    method: 'GET',
    path: '/v1/creator/channels/connect/:site',
    summary:
      "Start proving a channel: the site's sign-in URL (single-use state, PKCE where the site takes it, 10 minutes); 404 where not set up",
    access: 'creator',
    response: S.ConnectResponse,
  },
  {
    method: 'GET',
    path: '/v1/oauth/:site/callback',
    summary: 'Where the site returns the creator after signing in: verifies the channel, answers a page',
    access: 'public',
    produces: 'text/html',
  },
  {
    method: 'POST',
    path: '/v1/creator/live',
    summary: 'Start or end a live session',
    access: 'creator',
    body: S.LiveRequest,
  },
  { method: 'PUT', path: '/v1/creator/goal', summary: 'Set the stream goal', access: 'creator', body: S.GoalRequest },
  { method: 'DELETE', path: '/v1/creator/goal', summary: 'Clear the stream goal', access: 'creator' },
  {
    method: 'GET',
    path: '/v1/creator/overlay-token',
    summary: 'The overlay token and URL (created on first use)',
    access: 'creator',
  },
  {
    method: 'POST',
    path: '/v1/creator/overlay-token',
    summary: 'Rotate the overlay token; old overlays disconnect',
    access: 'creator',
  },
  {
    method: 'POST',
    path: '/v1/creator/test-alert',
    summary: 'A test gift on overlay connections; no money moves',
    access: 'creator',
  },
  {
    method: 'GET',
    path: '/v1/creator/moderation',
    summary: 'Blocked words and the messages they hid',
    access: 'creator',
  },
  {
    method: 'PUT',
    path: '/v1/creator/moderation',
    summary: 'Set the blocked words',
    access: 'creator',
    body: S.ModerationRequest,
  },
  {
    method: 'GET',
    path: '/v1/creator/earnings',
    summary: 'Diamonds, value, pending payouts, sessions, top supporters',
    access: 'creator',
  },
  {
    method: 'GET',
    path: '/v1/creator/payout-account',
    summary: 'Stripe mode: your payout account, in words-ready states',
    access: 'creator',
    response: S.PayoutAccountResponse,
  },
  {
    method: 'POST',
    path: '/v1/creator/payout-account',
    summary: 'Stripe mode: create your Connect account once and get a fresh onboarding link',
    access: 'creator',
    body: S.EmptyRequest,
    response: S.PayoutAccountLinkResponse,
  },
  {
    method: 'GET',
    path: '/v1/creator/payouts',
    summary: 'Your payouts',
    access: 'creator',
    response: S.PayoutListResponse,
  },
  {
    method: 'POST',
    path: '/v1/creator/payouts',
    summary: 'Request a cash-out',
    access: 'creator',
    idempotent: true,
    body: S.PayoutRequest,
    response: S.PayoutResponse,
    status: 201,
  },
  {
    method: 'POST',
    path: '/v1/rooms/:handle/gifts',
    summary: 'Send a gift to a live creator',
    access: 'adult',
    idempotent: true,
    body: S.GiftRequest,
    response: S.GiftResponse,
    status: 201,
  },
  {
    method: 'GET',
    path: '/v1/rooms/:handle',
    summary: 'Live state, goal, leaderboard, recent gifts',
    access: 'public',
  },
  {
    method: 'GET',
    path: '/v1/rooms/:handle/events',
    summary: 'The room event stream (WebSocket; overlays add token)',
    access: 'public',
    produces: 'websocket',
  },
  {
    method: 'GET',
    path: '/v1/admin/payouts',
    summary: 'Payouts, by status',
    access: 'admin',
    query: S.AdminPayoutsQuery,
  },
  {
    method: 'POST',
    path: '/v1/admin/payouts/:id',
    summary: 'Decide a payout: sandbox paid or rejected; Stripe Connect approved (transferred) or rejected',
    access: 'admin',
    idempotent: true,
    body: S.AdminPayoutDecision,
    response: S.PayoutResponse,
  },
  {
    method: 'GET',
    path: '/v1/admin/purchases/flagged',
    summary: 'Payments whose amount or currency did not match their purchase (nothing credited)',
    access: 'admin',
    response: S.FlaggedPurchasesResponse,
  },
  {
    method: 'GET',
    path: '/v1/admin/channels',
    summary: 'Channel claims',
    access: 'admin',
    query: S.AdminChannelsQuery,
  },
  {
    method: 'POST',
    path: '/v1/admin/channels/verify',
    summary: 'Verify a claim; other claims on the channel are removed',
    access: 'admin',
    body: S.AdminVerifyRequest,
  },
  {
    method: 'PUT',
    path: '/v1/admin/rates/next',
    summary: 'Schedule the next rate-card version',
    access: 'admin',
    body: S.RateCardRequest,
  },
  {
    method: 'GET',
    path: '/admin',
    summary: "The operator's page (its calls need the ADMIN_TOKEN)",
    access: 'public',
    produces: 'text/html',
  },
  {
    method: 'GET',
    path: '/terms',
    summary: 'What coins cost, what creators receive, refunds and account closure, from the rate card in force',
    access: 'public',
    produces: 'text/html',
  },
  {
    method: 'GET',
    path: '/privacy',
    summary: 'What the extension sends, to whom, what is kept and for how long, how to delete an account',
    access: 'public',
    produces: 'text/html',
  },
  {
    method: 'GET',
    path: '/admin/app.js',
    summary: "The operator page's script",
    access: 'public',
    produces: 'text/javascript',
  },
  {
    method: 'GET',
    path: '/v1/admin/audit',
    summary: 'Ledger totals per unit and invariant violations',
    access: 'admin',
    query: S.AdminAuditQuery,
    response: S.AuditResponse,
  },
];
