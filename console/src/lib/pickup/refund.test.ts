import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../campaigns/admin-api.js';
import { canRefund, latestOrderOf, refundOrder, refundQuestion, refundResult, type RefundOutcome } from './refund.js';
import { liveOrder } from './test-orders.js';

const ALREADY_REFUNDED = new ApiError(409, 'conflict', 'order a cannot go from refunded to refunded: refunded is final', 'status', 'refunded');
const PROVIDER_FAILED = new ApiError(503, 'unavailable', 'refund of payment pay-1 failed: card_declined; try again', 'id', 'a');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('canRefund', () => {
  it.each([
    ['paid', true],
    ['preparing', true],
    ['ready', true],
    ['placed', false],
    ['picked_up', false],
    ['cancelled', false],
    ['refunded', false],
  ] as const)('for %s is %s', (status, expected) => {
    expect(canRefund(status)).toBe(expected);
  });
});

describe('refundQuestion', () => {
  it('names the amount in English', () => {
    expect(refundQuestion({ totalMinor: 1170, currency: 'USD' }, 'en-US')).toEqual({ key: 'pickup.refund.confirm', params: { amount: '$11.70' } });
  });

  it('names the amount in Chinese', () => {
    expect(refundQuestion({ totalMinor: 3600, currency: 'CNY' }, 'zh-CN')).toEqual({ key: 'pickup.refund.confirm', params: { amount: '¥36.00' } });
  });

  it('says no money goes back for a free order', () => {
    expect(refundQuestion({ totalMinor: 0, currency: 'USD' }, 'en-US')).toEqual({ key: 'pickup.refund.confirmFree' });
  });
});

describe('refundOrder', () => {
  it('returns a succeeded refund as refunded', async () => {
    const refunded = liveOrder({ id: 'a', status: 'refunded' });
    const api = { refund: vi.fn(async () => ({ order: refunded, refund: { status: 'succeeded' as const, amountMinor: 1170 } })), getOrder: vi.fn() };
    expect(await refundOrder(api, 'a')).toEqual({ kind: 'refunded', order: refunded, amountMinor: 1170 });
    expect(api.refund).toHaveBeenCalledWith('a');
    expect(api.getOrder).not.toHaveBeenCalled();
  });

  it('returns a pending refund with the order as it was', async () => {
    const paid = liveOrder({ id: 'a', status: 'paid' });
    const api = { refund: vi.fn(async () => ({ order: paid, refund: { status: 'pending' as const, amountMinor: 800 } })), getOrder: vi.fn() };
    expect(await refundOrder(api, 'a')).toEqual({ kind: 'pending', order: paid, amountMinor: 800 });
  });

  it('reads the order back after a 409', async () => {
    const current = liveOrder({ id: 'a', status: 'refunded' });
    const api = {
      refund: vi.fn(async () => {
        throw ALREADY_REFUNDED;
      }),
      getOrder: vi.fn(async () => current),
    };
    expect(await refundOrder(api, 'a')).toEqual({ kind: 'conflict', error: ALREADY_REFUNDED, current });
    expect(api.getOrder).toHaveBeenCalledWith('a');
  });

  it('reports a conflict when read back fails', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const api = {
      refund: vi.fn(async () => {
        throw ALREADY_REFUNDED;
      }),
      getOrder: vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    };
    expect(await refundOrder(api, 'a')).toEqual({ kind: 'conflict', error: ALREADY_REFUNDED, current: null });
    expect(console.warn).toHaveBeenCalledTimes(1);
    expect(vi.mocked(console.warn).mock.calls[0]![0]).toBe(
      'Reading order a back after a conflicting refund failed; the board shows it as it was until the next frame.',
    );
  });

  it('reports a provider failure as failed', async () => {
    const api = {
      refund: vi.fn(async () => {
        throw PROVIDER_FAILED;
      }),
      getOrder: vi.fn(),
    };
    expect(await refundOrder(api, 'a')).toEqual({ kind: 'failed', error: PROVIDER_FAILED });
    expect(api.getOrder).not.toHaveBeenCalled();
  });

  it('reports a network failure as failed', async () => {
    const api = {
      refund: vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
      getOrder: vi.fn(),
    };
    const outcome = await refundOrder(api, 'a');
    expect(outcome.kind).toBe('failed');
    expect(outcome).toMatchObject({ error: { status: 0, code: 'network', message: 'Failed to fetch' } });
  });
});

describe('latestOrderOf', () => {
  const order = liveOrder({ id: 'a', status: 'refunded' });

  it('returns the order of a settled refund', () => {
    expect(latestOrderOf({ kind: 'refunded', order, amountMinor: 800 })).toBe(order);
    expect(latestOrderOf({ kind: 'pending', order, amountMinor: 800 })).toBe(order);
  });

  it('returns the order read back after a conflict', () => {
    expect(latestOrderOf({ kind: 'conflict', error: ALREADY_REFUNDED, current: order })).toBe(order);
    expect(latestOrderOf({ kind: 'conflict', error: ALREADY_REFUNDED, current: null })).toBeNull();
  });

  it('returns null for a failure', () => {
    expect(latestOrderOf({ kind: 'failed', error: PROVIDER_FAILED })).toBeNull();
  });
});

describe('refundResult', () => {
  const paid = liveOrder({ id: 'a', status: 'paid' });
  const refunded = liveOrder({ id: 'a', status: 'refunded' });

  it('shows nothing for a refunded order', () => {
    expect(refundResult({ kind: 'refunded', order: refunded, amountMinor: 800 }, false, '012')).toEqual({ kind: 'none' });
  });

  it('marks a pending refund on the card', () => {
    expect(refundResult({ kind: 'pending', order: paid, amountMinor: 800 }, true, '012')).toEqual({ kind: 'pending' });
  });

  it('ignores a pending refund off the board', () => {
    expect(refundResult({ kind: 'pending', order: paid, amountMinor: 800 }, false, '012')).toEqual({ kind: 'none' });
  });

  it('puts the message of a failure on the card', () => {
    expect(refundResult({ kind: 'failed', error: PROVIDER_FAILED }, true, '012')).toEqual({
      kind: 'cardError',
      message: 'refund of payment pay-1 failed: card_declined; try again',
    });
  });

  it('shows a conflict on the card', () => {
    const outcome: RefundOutcome = { kind: 'conflict', error: ALREADY_REFUNDED, current: paid };
    expect(refundResult(outcome, true, '012')).toEqual({ kind: 'cardError', message: ALREADY_REFUNDED.message });
  });

  it('tells where a conflicting order went', () => {
    const outcome: RefundOutcome = { kind: 'conflict', error: ALREADY_REFUNDED, current: refunded };
    expect(refundResult(outcome, false, '012')).toEqual({ kind: 'notice', notice: { kind: 'conflict', orderLabel: '012', status: 'refunded' } });
  });

  it('tells of a conflict without the order', () => {
    const outcome: RefundOutcome = { kind: 'conflict', error: ALREADY_REFUNDED, current: null };
    expect(refundResult(outcome, false, '012')).toEqual({ kind: 'notice', notice: { kind: 'conflict', orderLabel: '012', status: null } });
  });

  it('tells of a failure off the board', () => {
    expect(refundResult({ kind: 'failed', error: PROVIDER_FAILED }, false, '012')).toEqual({
      kind: 'notice',
      notice: { kind: 'refundFailed', orderLabel: '012', message: PROVIDER_FAILED.message },
    });
  });
});
