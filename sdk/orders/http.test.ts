import { describe, expect, it } from 'vitest';
import { ApiError, apiErrorOf, send, sendForBody, type HttpRequest } from './http.js';

const REQUEST: HttpRequest = { method: 'POST', path: '/v1/orders', headers: { 'idempotency-key': 'k1' }, body: '{"truckId":"t1"}' };

function replying(status: number, text: string): typeof fetch {
  return (async () => new Response(text, { status })) as typeof fetch;
}

describe('send', () => {
  it('passes method, headers and body to fetch', async () => {
    const calls: Array<[string, RequestInit]> = [];
    const fetchImpl = (async (url: string, init: RequestInit) => {
      calls.push([url, init]);
      return new Response('{"ok":true}', { status: 201 });
    }) as typeof fetch;

    expect(await send(REQUEST, fetchImpl)).toEqual({ status: 201, body: { ok: true } });
    expect(calls).toEqual([['/v1/orders', { method: 'POST', headers: { 'idempotency-key': 'k1' }, body: '{"truckId":"t1"}' }]]);
  });

  it('reads a body that is not JSON as null', async () => {
    expect(await send(REQUEST, replying(502, '<html>Bad gateway</html>'))).toEqual({ status: 502, body: null });
  });

  it('turns a failed fetch into a network ApiError without the body', async () => {
    const fetchImpl = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    const error = await send(REQUEST, fetchImpl).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 0, code: 'network', message: 'POST /v1/orders got no reply: Failed to fetch', retriable: true });
    expect((error as ApiError).message).not.toContain('t1');
  });
});

describe('sendForBody', () => {
  it('returns the body of a 2xx reply', async () => {
    await expect(sendForBody(REQUEST, replying(200, '{"menu":1}'))).resolves.toEqual({ menu: 1 });
  });

  it('throws the error reply with its field and reason', async () => {
    const body = { error: { code: 'invalid_input', message: 'code TACO expired at 2026-12-05T20:00:00.000Z', field: 'code', value: 'TACO', reason: 'expired' } };
    const error = (await sendForBody(REQUEST, replying(400, JSON.stringify(body))).catch((caught: unknown) => caught)) as ApiError;

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_input', field: 'code', value: 'TACO', reason: 'expired', retriable: false });
    expect(error.message).toBe('code TACO expired at 2026-12-05T20:00:00.000Z');
  });
});

describe('apiErrorOf', () => {
  it('describes a reply without an error object', () => {
    expect(apiErrorOf({ status: 503, body: null })).toMatchObject({ status: 503, code: 'http_error', message: 'the server replied with HTTP 503 and no error body', retriable: true });
  });

  it.each([
    [429, true],
    [500, true],
    [409, false],
    [404, false],
  ])('marks HTTP %i retriable: %s', (status, retriable) => {
    expect(apiErrorOf({ status, body: { error: { code: 'x', message: 'y' } } }).retriable).toBe(retriable);
  });
});
