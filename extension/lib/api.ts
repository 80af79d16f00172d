// The worker's HTTP API, typed by the shared zod schemas. Used by the background only: it is the one place
// that holds the session token. Every response is parsed, so a server that answers something else is an
// error value, never a crash.
import { z } from 'zod';
import {
  AuthResponse,
  BlockedWordsResponse,
  CatalogResponse,
  ConnectResponse,
  ConnectSitesResponse,
  CreatorResponse,
  CreatorSchema,
  EarningsResponse,
  ErrorSchema,
  GiftResponse,
  GoalResponse,
  HistoryResponse,
  LimitsResponse,
  LiveResponse,
  MeResponse,
  ModerationRequest,
  ModerationResponse,
  OverlayTokenResponse,
  StatementResponse,
  PayoutAccountLinkResponse,
  PayoutAccountResponse,
  PayoutListResponse,
  PayoutResponse,
  PurchaseResponse,
  PurchaseSchema,
  PurchaseViewResponse,
  RatesResponse,
  RefundResponse,
  ResolveResponse,
  RoomResponse,
  StudioTicketResponse,
  TestAlertResponse,
  UserSchema,
  WalletResponse,
  type LimitsRequest,
} from '@giftstream/shared';

/** Logout answers 204 with no body. */
const NoContent = z.unknown();

export type Rates = z.infer<typeof RatesResponse>;
export type Catalog = z.infer<typeof CatalogResponse>['gifts'];
export type Me = z.infer<typeof MeResponse>;
export type Wallet = z.infer<typeof WalletResponse>;
export type GiftsSent = NonNullable<Wallet['room']>['sent'];
export type GiftLimits = Wallet['giftLimits'];
export type Statement = z.infer<typeof StatementResponse>;
export type HistoryPage = z.infer<typeof HistoryResponse>;
export type HistoryItem = HistoryPage['entries'][number];
export type Purchase = z.infer<typeof PurchaseSchema>;
export type Refunded = z.infer<typeof RefundResponse>;
export type Creator = z.infer<typeof CreatorSchema>;
export type Resolved = z.infer<typeof ResolveResponse>;
export type ConnectSites = z.infer<typeof ConnectSitesResponse>;
export type ConnectSite = ConnectSites['sites'][number]['site'];
export type GiftSent = z.infer<typeof GiftResponse>;
export type Earnings = z.infer<typeof EarningsResponse>;
export type Payout = z.infer<typeof PayoutResponse>['payout'];
export type PayoutAccount = z.infer<typeof PayoutAccountResponse>['account'];
export type Room = z.infer<typeof RoomResponse>['room'];
export type Moderation = z.infer<typeof ModerationResponse>;
export type HiddenMessage = Moderation['hidden'][number];
export type AuthUser = z.infer<typeof UserSchema>;

export interface ApiError {
  /** The API's error code, or `network` when no answer came, `bad_response` when the answer made no sense. */
  code: string;
  message: string;
  field?: string;
  status: number;
}
export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; error: ApiError };

export interface ApiOptions {
  baseUrl: string;
  token?: string | null;
  fetch?: typeof fetch;
}

export interface GiftBody {
  giftId: string;
  count: number;
  message?: string;
  anonymous: boolean;
}

interface Connection {
  base: string;
  token?: string | null;
  doFetch: typeof fetch;
}

interface Call {
  method: string;
  path: string;
  body?: unknown;
  key?: string;
  /** `text` hands the schema the body as it came (a CSV), not parsed as JSON. */
  as?: 'json' | 'text';
}

/** Sends one request; answers with the API's error, or the success body if `schema` accepts it. */
async function request<S extends z.ZodType>(
  { base, token, doFetch }: Connection,
  { method, path, body, key, as = 'json' }: Call,
  schema: S,
): Promise<ApiResult<z.infer<S>>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  if (key) headers['idempotency-key'] = key;
  let res: Response;
  try {
    res = await doFetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, error: { code: 'network', message: `Could not reach ${base}.`, status: 0 } };
  }
  const text = await res.text().catch(() => '');
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // handled below: a non-JSON body is a bad response or an error without details
  }
  if (!res.ok) return { ok: false, status: res.status, error: errorOf(res.status, json) };
  const parsed = schema.safeParse(as === 'text' ? text : json);
  if (!parsed.success)
    return {
      ok: false,
      status: res.status,
      error: { code: 'bad_response', message: `Unexpected answer from ${path}.`, status: res.status },
    };
  return { ok: true, status: res.status, data: parsed.data };
}

/** The API's error from a failed answer's body, or one made from its status when the body is not one. */
function errorOf(status: number, json: unknown): ApiError {
  const parsed = ErrorSchema.safeParse(json);
  const error = parsed.success
    ? parsed.data.error
    : { code: status >= 500 ? 'server_error' : 'http_error', message: `The server answered ${status}.` };
  return { ...error, status };
}

/** A client for one server and (optionally) one session. */
export function createApi({ baseUrl, token, fetch: doFetch = (...a) => fetch(...a) }: ApiOptions) {
  const conn: Connection = { base: baseUrl.replace(/\/+$/, ''), token, doFetch };
  const call = <S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown, key?: string) =>
    request(conn, { method, path, body, key }, schema);

  const q = encodeURIComponent;
  return {
    baseUrl: conn.base,
    signup: (b: { email: string; password: string; displayName: string; birthdate: string }) =>
      call('POST', '/v1/auth/signup', AuthResponse, b),
    login: (b: { email: string; password: string }) => call('POST', '/v1/auth/login', AuthResponse, b),
    logout: () => call('POST', '/v1/auth/logout', NoContent),
    me: () => call('GET', '/v1/me', MeResponse),
    rates: () => call('GET', '/v1/rates', RatesResponse),
    gifts: () => call('GET', '/v1/gifts', CatalogResponse),
    wallet: (room?: string) => call('GET', `/v1/wallet${room ? `?room=${q(room)}` : ''}`, WalletResponse),
    statement: (month: string) => call('GET', `/v1/wallet/statement?month=${q(month)}`, StatementResponse),
    /** The statement's CSV, as text: the same money as `statement`, for a spreadsheet. */
    statementCsv: (month: string) =>
      request(conn, { method: 'GET', path: `/v1/wallet/statement.csv?month=${q(month)}`, as: 'text' }, z.string()),
    history: (before?: string) =>
      call('GET', `/v1/wallet/history?limit=100${before ? `&before=${q(before)}` : ''}`, HistoryResponse),
    setLimits: (b: z.input<typeof LimitsRequest>) => call('PUT', '/v1/wallet/limits', LimitsResponse, b),
    buy: (b: { packId: string } | { coins: number }, key: string) =>
      call('POST', '/v1/purchases', PurchaseResponse, b, key),
    purchase: (id: string) => call('GET', `/v1/purchases/${q(id)}`, PurchaseViewResponse),
    refund: (id: string, key: string) => call('POST', `/v1/purchases/${q(id)}/refund`, RefundResponse, {}, key),
    resolve: (url: string) => call('GET', `/v1/channels/resolve?url=${q(url)}`, ResolveResponse),
    creator: (handle: string) => call('GET', `/v1/creators/${q(handle)}`, CreatorResponse),
    becomeCreator: (b: { handle: string; channels: string[] }) => call('POST', '/v1/creators', CreatorResponse, b),
    connectSites: () => call('GET', '/v1/creator/channels/connect', ConnectSitesResponse),
    connect: (site: ConnectSite) => call('GET', `/v1/creator/channels/connect/${q(site)}`, ConnectResponse),
    room: (handle: string) => call('GET', `/v1/rooms/${q(handle)}`, RoomResponse),
    sendGift: (handle: string, b: GiftBody, key: string) =>
      call('POST', `/v1/rooms/${q(handle)}/gifts`, GiftResponse, b, key),
    setLive: (b: { live: boolean; title?: string }) => call('POST', '/v1/creator/live', LiveResponse, b),
    setGoal: (b: { label: string; coins: number }) => call('PUT', '/v1/creator/goal', GoalResponse, b),
    clearGoal: () => call('DELETE', '/v1/creator/goal', GoalResponse),
    overlayToken: (rotate: boolean) => call(rotate ? 'POST' : 'GET', '/v1/creator/overlay-token', OverlayTokenResponse),
    testAlert: () => call('POST', '/v1/creator/test-alert', TestAlertResponse),
    studioTicket: () => call('POST', '/v1/creator/studio-ticket', StudioTicketResponse),
    moderation: () => call('GET', '/v1/creator/moderation', ModerationResponse),
    setBlockedWords: (b: z.input<typeof ModerationRequest>) =>
      call('PUT', '/v1/creator/moderation', BlockedWordsResponse, b),
    earnings: () => call('GET', '/v1/creator/earnings', EarningsResponse),
    payouts: () => call('GET', '/v1/creator/payouts', PayoutListResponse),
    requestPayout: (b: { diamonds: number; destination?: string }, key: string) =>
      call('POST', '/v1/creator/payouts', PayoutResponse, b, key),
    payoutAccount: () => call('GET', '/v1/creator/payout-account', PayoutAccountResponse),
    setUpPayoutAccount: () => call('POST', '/v1/creator/payout-account', PayoutAccountLinkResponse, {}),
  };
}

export type Api = ReturnType<typeof createApi>;

/** Whether a failed call may be repeated as is: nothing final came back (Stripe's rule for idempotent replays). */
export function isRetryable(error: ApiError): boolean {
  return error.status === 0 || error.status === 429 || error.status >= 500;
}
