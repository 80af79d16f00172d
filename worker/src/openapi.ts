/**
 * The one definition of a route. Every route of the API is a `createRoute({...})` registered with
 * `.openapi(route, handler)` on a `routes()` app; the definition holds, side by side:
 *
 *   createRoute({
 *     method: 'post',
 *     path: '/{handle}/gifts',                       // OpenAPI's {param} form, relative to the mount point
 *     summary: 'Send a gift to a live creator',
 *     ...access('adult'),                             // who may call it: metadata AND the guard enforcing it
 *     request: { params: HandleParams, headers: IdempotencyHeader, body: json(GiftRequest) },
 *     responses: replies(GiftResponse, 201),          // the success body's schema (from @giftstream/shared)
 *   })
 *
 * Validation failures answer 400 `invalid_request` naming the first bad field (`invalidRequest`, every
 * `routes()` app's default hook). Routes that do not answer JSON say what they answer: `page('text/html')`,
 * `webSocket()`. From these definitions, and nothing else, come `GET /v1/openapi.json` (`openApiDocument`),
 * docs/api.md, the route-table test, the authorization matrix and the fuzz corpus (`routeTable`).
 * A handler added with plain `.get()`/`.post()` is missing from all of them, and route-table.test.ts fails.
 */
import { type Hook, OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi';
import type { ZodType } from 'zod';
import { ErrorSchema } from '@giftstream/shared';
import { type Access, GUARDS, SECURITY } from './access';
import type { AppEnv } from './env';
import { fail } from './http';

export type { Access } from './access';

/** The API's answer to a request its schemas refuse: 400 `invalid_request` naming the first bad field. */
export const invalidRequest: Hook<unknown, AppEnv, string, Response | undefined> = (result, c) => {
  if (result.success) return;
  const issue = result.error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : undefined;
  // A header's schema carries the whole sentence (see IdempotencyHeader).
  if (result.target === 'header') return fail(c, 'invalid_request', issue?.message ?? 'Invalid header.', field);
  const keys = (issue as { keys?: string[] } | undefined)?.keys;
  const what = issue?.code === 'unrecognized_keys' ? `unknown field ${keys?.join(', ')}` : issue?.message;
  return fail(
    c,
    'invalid_request',
    `Invalid ${result.target}${field ? ` at ${field}` : ''}: ${what}`,
    field ?? keys?.[0],
  );
};

/** A group of routes, mounted with `.route(prefix, ...)`; its validation failures answer like every other. */
export function routes() {
  return new OpenAPIHono<AppEnv>({ defaultHook: invalidRequest });
}

/** Who may call the route: recorded on the definition (`x-access`) and enforced before validation. */
export function access<A extends Access>(level: A) {
  const security = SECURITY[level];
  return { 'x-access': level, middleware: GUARDS[level], ...(security ? { security } : {}) };
}

/** A required JSON body validated by `schema`. */
export function json<S extends ZodType>(schema: S) {
  return { required: true, content: { 'application/json': { schema } } };
}

const KEY_REQUIRED = 'An Idempotency-Key header of 1 to 255 characters is required.';
/** Money-moving routes: the first final answer is stored under this key and replayed. */
export const IdempotencyHeader = z.object({
  'Idempotency-Key': z
    .string({ error: KEY_REQUIRED })
    .min(1, { error: KEY_REQUIRED })
    .max(255, { error: KEY_REQUIRED })
    .openapi({ description: 'The first final response is replayed for this key; a different body is a 409.' }),
});

export const HandleParams = z.object({ handle: z.string() });
export const IdParams = z.object({ id: z.string() });

type Responses = RouteConfig['responses'];
type ResponseConfig = Exclude<Responses[string], { $ref: string }>;

const ERRORS: Responses = {
  '4XX': {
    description: 'A clear error; nothing changed',
    content: { 'application/json': { schema: ErrorSchema } },
  },
};

/**
 * A JSON success answer and the API's errors. Typed loosely on purpose: handlers also return replies
 * stored by the Durable Objects byte for byte (`send`), which the schema describes but TypeScript cannot see.
 */
export function replies(schema: ZodType, status: 200 | 201 = 200): Responses {
  return {
    [status]: {
      description: 'Success',
      content: { 'application/json': { schema } },
    },
    ...ERRORS,
  };
}

export function noContent(): Responses {
  return { 204: { description: 'Done; no body' }, ...ERRORS };
}

/** A route that answers a page, a file or a script rather than JSON. */
export function page(type: 'text/html' | 'text/csv' | 'text/javascript', description = 'Success'): Responses {
  return { 200: { description, content: { [type]: { schema: z.string() } } }, ...ERRORS };
}

export function webSocket(): Responses {
  return { 101: { description: 'Switching protocols: room events as JSON frames' }, ...ERRORS };
}

/** OpenAPI 3.1, from the app's own route definitions. */
export function openApiDocument(app: OpenAPIHono<AppEnv>, serverUrl: string) {
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Giftstream API',
      version: '1',
      description:
        'Open virtual gifts for live streams. Amounts are integers: coins, diamonds, and money in minor units.',
    },
    servers: [{ url: serverUrl }],
  });
  return {
    ...doc,
    components: {
      ...doc.components,
      securitySchemes: {
        session: {
          type: 'http',
          scheme: 'bearer',
          description: 'A session token from /v1/auth/signup or /v1/auth/login',
        },
        operator: { type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN secret' },
        stripeSignature: { type: 'apiKey', in: 'header', name: 'Stripe-Signature' },
      },
    },
  };
}

/** One route as the tests and the docs read it, from its definition. */
export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Hono's path syntax, as mounted. */
  path: string;
  summary: string;
  access: Access;
  /** Requires an Idempotency-Key header. */
  idempotent: boolean;
  params?: ZodType;
  query?: ZodType;
  body?: ZodType;
  response?: ZodType;
  /** The success status when it is not 200. */
  status?: number;
  /** Not JSON: a WebSocket, CSV, HTML page, script. */
  produces?: string;
}

const isZod = (s: unknown): s is ZodType => typeof (s as ZodType | undefined)?.safeParse === 'function';

function specOf(route: RouteConfig): RouteSpec {
  const [status, ok] = Object.entries(route.responses).find(([s]) => /^[12]\d\d$/.test(s))! as [string, ResponseConfig];
  const type = ok.content ? Object.keys(ok.content)[0] : undefined;
  const response =
    type === 'application/json' ? (ok.content?.[type] as { schema?: unknown } | undefined)?.schema : undefined;
  const body = (route.request?.body?.content['application/json'] as { schema?: unknown } | undefined)?.schema;
  const headers = route.request?.headers;
  return {
    method: route.method.toUpperCase() as RouteSpec['method'],
    path: route.path.replace(/\{(\w+)\}/g, ':$1'),
    summary: route.summary ?? '',
    access: route['x-access'] as Access,
    idempotent: headers instanceof z.ZodObject && 'Idempotency-Key' in headers.shape,
    ...(isZod(route.request?.params) ? { params: route.request.params } : {}),
    ...(isZod(route.request?.query) ? { query: route.request.query } : {}),
    ...(isZod(body) ? { body } : {}),
    ...(isZod(response) ? { response } : {}),
    ...(status === '200' ? {} : { status: Number(status) }),
    ...(status === '101' ? { produces: 'websocket' } : type && type !== 'application/json' ? { produces: type } : {}),
  };
}

/** Every route the app defines, in the order it was mounted. */
export function routeTable(app: OpenAPIHono<AppEnv>): RouteSpec[] {
  return app.openAPIRegistry.definitions.flatMap((d) => (d.type === 'route' ? [specOf(d.route)] : []));
}
