import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../campaigns/admin-api.js';
import { moveOrder } from './move.js';
import { liveOrder } from './test-orders.js';

const CONFLICT = new ApiError(409, 'conflict', 'order a cannot go from ready to preparing: from ready an order can become picked_up, refunded', 'status', 'preparing');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('moveOrder', () => {
  it('returns the moved order', async () => {
    const moved = liveOrder({ id: 'a', status: 'preparing' });
    const api = { setStatus: vi.fn(async () => moved), getOrder: vi.fn() };
    expect(await moveOrder(api, 'a', 'preparing')).toEqual({ kind: 'moved', order: moved });
    expect(api.setStatus).toHaveBeenCalledWith('a', 'preparing');
    expect(api.getOrder).not.toHaveBeenCalled();
  });

  it('reads the order back after a 409', async () => {
    const current = liveOrder({ id: 'a', status: 'ready' });
    const api = {
      setStatus: vi.fn(async () => {
        throw CONFLICT;
      }),
      getOrder: vi.fn(async () => current),
    };
    expect(await moveOrder(api, 'a', 'preparing')).toEqual({ kind: 'conflict', error: CONFLICT, current });
    expect(api.getOrder).toHaveBeenCalledWith('a');
  });

  it('reports a conflict without the order when the read back fails', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const api = {
      setStatus: vi.fn(async () => {
        throw CONFLICT;
      }),
      getOrder: vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    };
    expect(await moveOrder(api, 'a', 'preparing')).toEqual({ kind: 'conflict', error: CONFLICT, current: null });
    expect(console.warn).toHaveBeenCalledTimes(1);
  });

  it('reports another error reply as failed', async () => {
    const notFound = new ApiError(404, 'not_found', 'order a not found', 'id', 'a');
    const api = {
      setStatus: vi.fn(async () => {
        throw notFound;
      }),
      getOrder: vi.fn(),
    };
    expect(await moveOrder(api, 'a', 'ready')).toEqual({ kind: 'failed', error: notFound });
    expect(api.getOrder).not.toHaveBeenCalled();
  });

  it('reports a network failure as failed', async () => {
    const api = {
      setStatus: vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
      getOrder: vi.fn(),
    };
    const outcome = await moveOrder(api, 'a', 'picked_up');
    expect(outcome.kind).toBe('failed');
    expect(outcome).toMatchObject({ error: { status: 0, code: 'network', message: 'Failed to fetch' } });
  });
});
