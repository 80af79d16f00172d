// docs/api.md is generated from the app's own route definitions (worker/src/routes/*, `createRoute`); this test
// fails when it is stale. `UPDATE_DOCS=1 npx vitest run api-docs.e2e.ts` rewrites it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RoomEvent } from '@giftstream/shared';
import { ROOT } from './harness';

type Access = 'public' | 'user' | 'adult' | 'creator' | 'admin' | 'stripe';

/** What this page reads of worker/src/openapi.ts's RouteSpec. */
interface RouteSpec {
  method: string;
  path: string;
  summary: string;
  access: Access;
  idempotent: boolean;
  query?: z.core.$ZodType;
  body?: z.core.$ZodType;
  response?: z.core.$ZodType;
  status?: number;
}

// The worker's sources type-check against the Workers runtime types, which this workspace does not load; they
// run in Node all the same, so the route table is read from the app itself, untyped.
const { app } = await import(/* @vite-ignore */ join(ROOT, 'worker/src/app.ts'));
const { routeTable } = await import(/* @vite-ignore */ join(ROOT, 'worker/src/openapi.ts'));
const ROUTES: RouteSpec[] = routeTable(app);

const ACCESS: Record<Access, string> = {
  public: 'anyone',
  user: 'signed-in user',
  adult: 'signed-in user, 18+',
  creator: 'creator',
  admin: 'operator (`ADMIN_TOKEN`)',
  stripe: 'Stripe (signed)',
};

type Json = {
  type?: string | string[];
  properties?: Record<string, Json>;
  required?: string[];
  anyOf?: Json[];
  items?: Json;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  default?: unknown;
  format?: string;
  additionalProperties?: unknown;
};

function jsonOf(s: z.core.$ZodType): Json {
  return z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Json;
}

function describeType(j: Json): string {
  if (j.anyOf) return j.anyOf.map(describeType).join(' or ');
  if (j.const !== undefined) return `\`${JSON.stringify(j.const)}\``;
  if (j.enum) return j.enum.map((e) => `\`${JSON.stringify(e)}\``).join(', ');
  const type = Array.isArray(j.type) ? j.type.join(' or ') : (j.type ?? 'any');
  const limits: string[] = [];
  if (j.minimum !== undefined && j.minimum > -Number.MAX_SAFE_INTEGER) limits.push(`≥ ${j.minimum}`);
  if (j.maximum !== undefined && j.maximum < Number.MAX_SAFE_INTEGER) limits.push(`≤ ${j.maximum}`);
  if (j.minLength !== undefined) limits.push(`length ≥ ${j.minLength}`);
  if (j.maxLength !== undefined) limits.push(`length ≤ ${j.maxLength}`);
  if (j.pattern) limits.push(`matches \`${j.pattern}\``);
  if (j.format) limits.push(j.format);
  if (j.default !== undefined) limits.push(`default ${JSON.stringify(j.default)}`);
  const inner = type === 'array' && j.items ? `array of ${describeType(j.items)}` : type;
  return limits.length ? `${inner} (${limits.join(', ')})` : inner;
}

function fieldTable(j: Json): string[] {
  if (j.anyOf) return j.anyOf.flatMap((alt, i) => [`One of (${i + 1}):`, '', ...fieldTable(alt)]);
  const props = Object.entries(j.properties ?? {});
  if (!props.length) return ['No fields.', ''];
  return [
    '| field | type | required |',
    '|---|---|---|',
    ...props.map(
      ([name, p]) =>
        `| \`${name}\` | ${describeType(p).replace(/\|/g, '\\|')} | ${j.required?.includes(name) ? 'yes' : 'no'} |`,
    ),
    '',
  ];
}

export function apiMarkdown(): string {
  const out = [
    '# Giftstream API v1 reference',
    '',
    '_Generated from the route definitions in `worker/src/routes/` and the zod schemas they validate with; `e2e/api-docs.e2e.ts` keeps it current. The machine-readable twin is `GET /v1/openapi.json` (OpenAPI 3.1)._',
    '',
    '## Conventions',
    '- JSON in and out. Bodies over 16 KiB are refused with 413. Unknown fields are refused with 400.',
    '- Errors are `{"error": {"code", "message", "field"?}}`; bad input is always a 4xx and changes nothing.',
    '- Auth: `Authorization: Bearer <session token>` from signup or login; operator routes take the `ADMIN_TOKEN`.',
    '- Money is integers: coins, diamonds, and money as `{amount, currency}` with `amount` in minor units (cents).',
    '- Routes marked **idempotent** require an `Idempotency-Key` header (1–255 characters). The first final',
    '  answer is stored and replayed byte for byte; the same key with a different body is 409 `idempotency_mismatch`.',
    '- Limits on abuse answer 429 `rate_limited` with `Retry-After`.',
    '',
    '## Routes',
    '',
    '| method | path | who | what |',
    '|---|---|---|---|',
    ...ROUTES.map(
      (r) =>
        `| ${r.method} | \`${r.path}\` | ${ACCESS[r.access]} | ${r.summary}${r.idempotent ? ' (**idempotent**)' : ''} |`,
    ),
    '',
  ];
  for (const r of ROUTES) {
    if (!r.body && !r.query && !r.response) continue;
    out.push(
      `### ${r.method} \`${r.path}\``,
      '',
      `${r.summary}. Who: ${ACCESS[r.access]}.${r.idempotent ? ' Requires `Idempotency-Key`.' : ''}${r.status ? ` Success: ${r.status}.` : ''}`,
      '',
    );
    if (r.query) out.push('Query:', '', ...fieldTable(jsonOf(r.query)));
    if (r.body) out.push('Body:', '', ...fieldTable(jsonOf(r.body)));
    if (r.response) out.push('Response:', '', ...fieldTable(jsonOf(r.response)));
  }
  out.push(
    '## Room events (WebSocket `GET /v1/rooms/:handle/events?since=&token=`)',
    '',
    'A frame is one event or an array of events. Every event has `v: 1`, `seq`, `type`, `at` (epoch ms).',
    '',
  );
  const events = jsonOf(RoomEvent) as Json & { oneOf?: Json[] };
  for (const e of events.oneOf ?? events.anyOf ?? []) {
    const type = (e.properties?.type as Json | undefined)?.const;
    out.push(
      `### \`${String(type)}\``,
      '',
      ...fieldTable({
        ...e,
        properties: Object.fromEntries(
          Object.entries(e.properties ?? {}).filter(([k]) => !['v', 'seq', 'type', 'at'].includes(k)),
        ),
      }),
    );
  }
  return out.join('\n') + '\n';
}

describe('docs/api.md', () => {
  it('matches the route table and schemas', () => {
    const file = join(ROOT, 'docs', 'api.md');
    const fresh = apiMarkdown();
    if (process.env.UPDATE_DOCS) writeFileSync(file, fresh);
    expect(readFileSync(file, 'utf8')).toBe(fresh);
  });
});
