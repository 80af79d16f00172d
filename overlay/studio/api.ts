/**
 * The studio's calls to the API, same origin. The session token lives in sessionStorage only: it came from
 * a single-use ticket (or a sign-in on this page) and ends with the tab.
 */
const TOKEN_KEY = 'giftstream.studio.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function keepToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export interface ApiError {
  status: number;
  code: string;
  message: string;
  field?: string;
  uses?: { variation: string | null; name: string }[];
}

export type Result<T> = { ok: true; data: T } | { ok: false; error: ApiError };

export async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Result<T>> {
  const token = storedToken();
  const init: RequestInit = { method, headers: { ...headers } };
  const h = init.headers as Record<string, string>;
  if (token) h.authorization = `Bearer ${token}`;
  if (body instanceof Blob) init.body = body;
  else if (body !== undefined) {
    h['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    return { ok: false, error: { status: 0, code: 'offline', message: 'The server cannot be reached; try again.' } };
  }
  const json = await res.json().catch(() => null);
  if (res.ok) return { ok: true, data: json as T };
  const e = json?.error ?? {};
  return {
    ok: false,
    error: {
      status: res.status,
      code: e.code ?? 'error',
      message: e.message ?? `The server answered ${res.status}.`,
      field: e.field,
      uses: json?.uses,
    },
  };
}

/** Spends the ticket in the address (#ticket=…) for a session, and takes it out of the address at once. */
export async function signInFromTicket(): Promise<Result<unknown> | null> {
  const ticket = new URLSearchParams(location.hash.slice(1)).get('ticket');
  if (!ticket) return null;
  history.replaceState(null, '', location.pathname + location.search);
  const r = await call<{ token: string }>('POST', '/v1/studio/session', { ticket });
  if (r.ok) keepToken(r.data.token);
  return r;
}
