/**
 * What an operator sets when building the extension for their deployment, read from the environment of
 * `npm run build` (wxt.config.ts calls this). Without any variable the build is the local one.
 *
 *   GIFTSTREAM_SERVER       the deployment's origin: the default server, and the manifest's host permission
 *   GIFTSTREAM_NAME         the name in the manifest and the stores
 *   GIFTSTREAM_DESCRIPTION  the manifest's description
 *   GIFTSTREAM_GECKO_ID     Firefox's add-on id; AMO ties it to the operator's account, so it must be their own
 */
export const LOCAL_SERVER = 'http://localhost:8787';
export const DEFAULT_NAME = 'Giftstream';
export const DEFAULT_DESCRIPTION =
  'Buy coins and send gifts to the creator of the stream you are watching; every price in real money.';
export const DEFAULT_GECKO_ID = 'extension@giftstream.dev';

// The stores' own limits (Chrome Web Store: name 75, description 132 characters), so a listing is not refused
// after the upload.
const NAME_MAX = 75;
const DESCRIPTION_MAX = 132;

export interface BuildConfig {
  /** An origin, e.g. `https://gifts.example.com`. */
  server: string;
  /** True when the server is the machine itself (http allowed, and the local patterns kept). */
  local: boolean;
  hostPermissions: string[];
  name: string;
  description: string;
  geckoId: string;
}

/** A variable that would make a broken extension; its message is the one line the build prints. */
export class BuildConfigError extends Error {}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `GIFTSTREAM_SERVER` as an origin, or an error saying what is wrong with it. */
export function parseServer(value: string): { server: string; local: boolean } {
  const bad = (why: string) =>
    new BuildConfigError(
      `GIFTSTREAM_SERVER=${JSON.stringify(value)} ${why}; expected an https origin such as https://gifts.example.com (http only for localhost)`,
    );
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw bad('is not a URL');
  }
  const local = LOCAL_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local))
    throw bad(url.protocol === 'http:' ? 'is not https' : `uses ${url.protocol}`);
  if (url.username || url.password) throw bad('carries a user name or password');
  // An origin only: the extension appends /v1/... itself, and a path would be silently dropped.
  if (url.pathname !== '/' || url.search || url.hash || !/^[a-z]+:\/\/[^/]+\/?$/i.test(value.trim()))
    throw bad('has a path, query or fragment');
  return { server: url.origin, local };
}

/** The host permission that lets the background call `server` (match patterns cover every port). */
export function hostPattern(server: string): string {
  const url = new URL(server);
  return `${url.protocol}//${url.hostname}/*`;
}

function text(env: Record<string, string | undefined>, key: string, fallback: string, max: number): string {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = raw.trim();
  if (!value) throw new BuildConfigError(`${key} is blank`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw new BuildConfigError(`${key} contains a control character (a newline?)`);
  if ([...value].length > max)
    throw new BuildConfigError(`${key} is ${[...value].length} characters; the stores accept at most ${max}`);
  return value;
}

// AMO's two accepted forms of an add-on id: a GUID in braces, or an email-like string.
const GECKO_ID = /^(\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}|[a-z0-9._-]*@[a-z0-9._-]+)$/i;

export function readBuildConfig(env: Record<string, string | undefined>): BuildConfig {
  const { server, local } = env.GIFTSTREAM_SERVER
    ? parseServer(env.GIFTSTREAM_SERVER)
    : { server: LOCAL_SERVER, local: true };
  const geckoId = text(env, 'GIFTSTREAM_GECKO_ID', DEFAULT_GECKO_ID, 80);
  if (!GECKO_ID.test(geckoId))
    throw new BuildConfigError(
      `GIFTSTREAM_GECKO_ID=${JSON.stringify(geckoId)} is not an add-on id; use name@your-domain or a {GUID}`,
    );
  return {
    server,
    local,
    // A local build reaches any local port under either name; a deployment's build asks for its origin only.
    hostPermissions: local
      ? [...new Set([hostPattern(server), 'http://localhost/*', 'http://127.0.0.1/*'])]
      : [hostPattern(server)],
    name: text(env, 'GIFTSTREAM_NAME', DEFAULT_NAME, NAME_MAX),
    description: text(env, 'GIFTSTREAM_DESCRIPTION', DEFAULT_DESCRIPTION, DESCRIPTION_MAX),
    geckoId,
  };
}
