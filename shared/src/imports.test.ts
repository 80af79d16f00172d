import { describe, expect, it } from 'vitest';

/**
 * The import graph of shared/src and worker/src has no cycles. Every static import and re-export counts,
 * type-only ones too, with no exception: `worker/src/env.ts` types the Durable Object bindings with the
 * objects' RPC interfaces (`worker/src/objects/rpc.ts`), not with the classes, which import env.ts.
 * The sources are read through Vite's glob import, so the test needs no file system API.
 */
declare global {
  interface ImportMeta {
    glob(
      pattern: string | string[],
      options: { query: '?raw'; import: 'default'; eager: true },
    ): Record<string, string>;
  }
}

const sources = import.meta.glob(['./**/*.ts', '../../worker/src/**/*.ts', '!./**/*.test.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

/** Files by path relative to the repository root. */
const files = new Map(
  Object.entries(sources).map(([path, text]) => [
    path.startsWith('../../') ? path.slice('../../'.length) : `shared/src/${path.slice(2)}`,
    text,
  ]),
);

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g;

function resolve(from: string, spec: string): string | null {
  const parts = from.split('/').slice(0, -1);
  for (const p of spec.split('/')) {
    if (p === '..') parts.pop();
    else if (p !== '.') parts.push(p);
  }
  const base = parts.join('/');
  return [`${base}.ts`, `${base}/index.ts`, base].find((p) => files.has(p)) ?? null;
}

function graph(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const [file, text] of files) {
    const to = [...text.matchAll(IMPORT)].map((m) => resolve(file, m[1]!)).filter((p): p is string => p !== null);
    edges.set(file, to);
  }
  return edges;
}

/** Every cycle's files, as strongly connected components (Tarjan). */
function cycles(edges: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || edges.get(v)!.includes(v)) out.push(component.sort());
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('imports', () => {
  it('read both source trees', () => {
    expect(files.has('shared/src/index.ts')).toBe(true);
    expect(files.has('worker/src/objects/live-room.ts')).toBe(true);
    expect(graph().get('worker/src/objects/live-room.ts')).toContain('worker/src/objects/room-hub.ts');
  });

  it('form no cycle in shared/src and worker/src', () => {
    expect(cycles(graph())).toEqual([]);
  });

  it('find a cycle when there is one', () => {
    const edges = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cycles(edges)).toEqual([['a', 'b', 'c']]);
  });

  it('keep Durable Objects away from HTTP: no object imports auth.ts, http.ts or a route', () => {
    const edges = graph();
    const bad = [...edges]
      .filter(([file]) => file.startsWith('worker/src/objects/'))
      .flatMap(([file, to]) =>
        to
          .filter((p) => ['worker/src/auth.ts', 'worker/src/http.ts'].includes(p) || p.startsWith('worker/src/routes/'))
          .map((p) => `${file} → ${p}`),
      );
    expect(bad).toEqual([]);
  });

  it('keep SQL and sockets apart: no file in worker/src/objects holds both', () => {
    const both = [...files]
      .filter(([file]) => file.startsWith('worker/src/objects/'))
      .filter(([, text]) => /\.exec\(|storage\.sql/.test(text) && /getWebSockets|acceptWebSocket|\.send\(/.test(text))
      .map(([file]) => file);
    expect(both).toEqual([]);
  });
});
