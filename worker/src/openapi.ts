import { z, type ZodType } from 'zod';
import { ErrorSchema } from '@giftstream/shared';
import { ROUTES, type RouteSpec } from './api-table';

function schema(s: ZodType) {
  const { $schema: _, ...json } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return json;
}

const SECURITY: Record<RouteSpec['access'], Record<string, string[]>[] | undefined> = {
  public: undefined,
  user: [{ session: [] }],
  adult: [{ session: [] }],
  creator: [{ session: [] }],
  admin: [{ operator: [] }],
  stripe: [{ stripeSignature: [] }],
};

/** OpenAPI 3.1 from the route table and the zod schemas the routes validate with. */
export function openApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const path = r.path.replace(/:([a-zA-Z]+)/g, '{$1}');
    const parameters: unknown[] = [...r.path.matchAll(/:([a-zA-Z]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (r.query) {
      const q = schema(r.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(q.properties ?? {}))
        parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema: s });
    }
    if (r.idempotent)
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: true,
        schema: { type: 'string', minLength: 1, maxLength: 255 },
        description: 'The first final response is replayed for this key; a different body is a 409.',
      });
    const ok = String(r.status ?? 200);
    const content = r.produces
      ? { [r.produces === 'websocket' ? 'application/json' : r.produces]: {} }
      : { 'application/json': { schema: r.response ? schema(r.response) : {} } };
    paths[path] ??= {};
    paths[path]![r.method.toLowerCase()] = {
      summary: r.summary,
      'x-access': r.access,
      ...(SECURITY[r.access] ? { security: SECURITY[r.access] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(r.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: schema(r.body) } } } }
        : {}),
      responses: {
        [ok]: {
          description: r.produces === 'websocket' ? 'Switching protocols: room events as JSON frames' : 'Success',
          ...(ok === '204' ? {} : { content }),
        },
        '4XX': {
          description: 'A clear error; nothing changed',
          content: { 'application/json': { schema: schema(ErrorSchema) } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Giftstream API',
      version: '1',
      description:
        'Open virtual gifts for live streams. Amounts are integers: coins, diamonds, and money in minor units.',
    },
    servers: [{ url: serverUrl }],
    components: {
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
    paths,
  };
}
