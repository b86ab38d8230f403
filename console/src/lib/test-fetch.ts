import { vi } from 'vitest';

/** One call the stubbed fetch received. */
export interface FetchCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Replaces the global fetch with one that records each call and replies with `reply`.
 * The caller restores the real fetch with `vi.unstubAllGlobals()`.
 */
export function stubFetch(reply: (call: FetchCall) => Response): FetchCall[] {
  const calls: FetchCall[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    const call = { url, method: init.method ?? 'GET', headers: init.headers as Record<string, string>, body: init.body };
    calls.push(call);
    return reply(call);
  });
  return calls;
}

/** Creates a JSON reply with `status` and `body`. */
export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
