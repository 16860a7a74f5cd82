// fakeapi.ts - a fetch() stand-in answering like the public API, for component tests.
import { vi } from 'vitest';

export type Handler = (url: URL, init: RequestInit) => Response | Promise<Response>;

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** Installs fetch answering by "METHOD /path" (path without /api/v1); records calls. */
export function fakeApi(routes: Record<string, Handler>) {
  const calls: { method: string; path: string; url: URL; init: RequestInit }[] = [];
  const f = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://localhost');
    const method = (init.method ?? 'GET').toUpperCase();
    const path = url.pathname.replace(/^\/api\/v1/, '');
    calls.push({ method, path, url, init });
    const exact = routes[`${method} ${path}`];
    if (exact) return exact(url, init);
    for (const [k, h] of Object.entries(routes)) {
      const [m, p] = k.split(' ');
      if (m !== method || !p.includes('*')) continue;
      const re = new RegExp(`^${p.split('*').map((x) => x.replace(/[.?+^$()[\]{}|\\]/g, '\\$&')).join('[^/]+')}$`);
      if (re.test(path)) return h(url, init);
    }
    return json(404, { detail: `no route ${method} ${path}` });
  });
  vi.stubGlobal('fetch', f);
  return { fetch: f, calls };
}

/** A Response whose body is an event stream the test writes to. */
export function sseResponse() {
  let ctrl!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      ctrl = c;
    },
  });
  const enc = new TextEncoder();
  return {
    response: new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } }),
    send(event: string, data: unknown) {
      ctrl.enqueue(enc.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
    },
    close() {
      ctrl.close();
    },
  };
}
