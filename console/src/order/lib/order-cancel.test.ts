import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../sdk/orders/http.js';
import type { RetryOptions } from './idempotency.js';
import { cancelUnpaidOrder } from './order-cancel.js';

const SESSION = { orderId: 'order-1', orderToken: 'secret-token' };
const NO_WAIT: RetryOptions = { attempts: 3, backoff: { initialMs: 1, maxMs: 1 }, sleep: async () => {} };

const CANCELLED_ORDER = {
  id: 'order-1',
  truckId: 'truck-1',
  status: 'cancelled',
  pickupNumber: null,
  currency: 'USD',
  lines: [],
  itemCount: 2,
  subtotalMinor: 900,
  discountMinor: 0,
  totalMinor: 900,
  code: null,
  estimatedReadyAt: null,
  updatedAt: '2026-12-05T12:00:00.000Z',
};

interface SentRequest {
  url: string;
  method: string | undefined;
  headers: unknown;
  body: unknown;
}

/** Returns a fetch that replies with `replies` in turn (an Error for no reply) and records each request. */
function fakeFetch(replies: Array<{ status: number; body: unknown } | Error>, sent: SentRequest[]): typeof fetch {
  return (async (url: string, init: RequestInit = {}) => {
    sent.push({ url, method: init.method, headers: init.headers, body: init.body });
    const reply = replies.shift();
    if (reply === undefined) throw new Error('no reply left in the fake');
    if (reply instanceof Error) throw reply;
    return new Response(JSON.stringify(reply.body), { status: reply.status });
  }) as typeof fetch;
}

describe('cancelUnpaidOrder', () => {
  it('returns the cancelled order', async () => {
    const sent: SentRequest[] = [];
    const outcome = await cancelUnpaidOrder(SESSION, { retry: NO_WAIT, fetch: fakeFetch([{ status: 200, body: { order: CANCELLED_ORDER } }], sent) });

    expect(outcome).toEqual({ kind: 'cancelled', order: CANCELLED_ORDER });
    expect(sent).toEqual([{ url: '/v1/orders/order-1/cancel', method: 'POST', headers: { authorization: 'Bearer secret-token' }, body: undefined }]);
  });

  it('reports an order no longer placed', async () => {
    const conflict = { error: { code: 'conflict', message: 'order order-1 cannot go from paid to cancelled', field: 'status', value: 'cancelled' } };
    const outcome = await cancelUnpaidOrder(SESSION, { retry: NO_WAIT, fetch: fakeFetch([{ status: 409, body: conflict }], []) });

    expect(outcome).toEqual({ kind: 'not_placed' });
  });

  it('sends again after no reply', async () => {
    const sent: SentRequest[] = [];
    const fetch = fakeFetch([new TypeError('network down'), { status: 503, body: null }, { status: 200, body: { order: CANCELLED_ORDER } }], sent);
    const outcome = await cancelUnpaidOrder(SESSION, { retry: NO_WAIT, fetch });

    expect(outcome.kind).toBe('cancelled');
    expect(sent).toHaveLength(3);
  });

  it('throws other rejections at once', async () => {
    const sent: SentRequest[] = [];
    const notFound = { error: { code: 'not_found', message: "order order-1 not found, or the order token is not this order's", field: 'id', value: 'order-1' } };
    const error = await cancelUnpaidOrder(SESSION, { retry: NO_WAIT, fetch: fakeFetch([{ status: 404, body: notFound }], sent) }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 404, code: 'not_found', field: 'id' });
    expect(sent).toHaveLength(1);
  });

  it('throws after the last retry', async () => {
    const error = await cancelUnpaidOrder(SESSION, { retry: NO_WAIT, fetch: fakeFetch([new TypeError('a'), new TypeError('b'), new TypeError('c')], []) }).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ status: 0, code: 'network' });
  });

  it('rejects a reply without an order', async () => {
    const error = await cancelUnpaidOrder(SESSION, { retry: NO_WAIT, fetch: fakeFetch([{ status: 200, body: {} }], []) }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('invalid order reply: missing "order" object');
  });
});
