import { describe, expect, it } from 'vitest';
import { CloudburstError } from '../common/errors.js';
import { allowedOrderTransitions, assertOrderTransition, canTransitionOrder, isOrderStatus, ORDER_STATUSES, type OrderStatus } from './status.js';

const ALLOWED: Record<OrderStatus, OrderStatus[]> = {
  placed: ['paid', 'cancelled'],
  paid: ['preparing', 'ready', 'refunded'],
  preparing: ['ready', 'refunded'],
  ready: ['picked_up', 'refunded'],
  picked_up: ['refunded'],
  cancelled: [],
  refunded: [],
};

function thrown(action: () => unknown): CloudburstError {
  try {
    action();
  } catch (error) {
    if (error instanceof CloudburstError) return error;
    throw error;
  }
  throw new Error('expected a CloudburstError');
}

describe('order transitions', () => {
  for (const from of ORDER_STATUSES) {
    for (const to of ORDER_STATUSES) {
      const allowed = ALLOWED[from].includes(to);
      it(`${allowed ? 'allows' : 'rejects'} ${from} to ${to}`, () => {
        expect(canTransitionOrder(from, to)).toBe(allowed);
        if (allowed) {
          expect(() => assertOrderTransition(from, to)).not.toThrow();
        } else {
          const error = thrown(() => assertOrderTransition(from, to));
          expect(error.code).toBe('conflict');
          expect(error.field).toBe('status');
          expect(error.value).toBe(to);
        }
      });
    }
  }

  it('lists the allowed moves', () => {
    for (const from of ORDER_STATUSES) expect(allowedOrderTransitions(from)).toEqual(ALLOWED[from]);
  });
});

describe('assertOrderTransition messages', () => {
  it('names both statuses and the allowed moves', () => {
    const error = thrown(() => assertOrderTransition('ready', 'paid', 'order-17'));
    expect(error.message).toBe('order order-17 cannot go from ready to paid: from ready an order can become picked_up, refunded');
    expect(error.context).toEqual({ orderId: 'order-17', from: 'ready', to: 'paid' });
  });

  it('says when a status is final', () => {
    expect(() => assertOrderTransition('cancelled', 'paid')).toThrow('an order cannot go from cancelled to paid: cancelled is final');
  });

  it('rejects an unknown target status as input', () => {
    const error = thrown(() => assertOrderTransition('paid', 'shipped' as OrderStatus));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toBe('invalid status: "shipped" (expected one of placed, paid, preparing, ready, picked_up, cancelled, refunded)');
  });

  it('reports an unknown stored status as internal', () => {
    const error = thrown(() => assertOrderTransition('lost' as OrderStatus, 'paid', 'order-3'));
    expect(error.code).toBe('internal');
    expect(error.message).toBe('order order-3 has the unknown status "lost"');
  });
});

describe('isOrderStatus', () => {
  it('knows only order statuses', () => {
    expect(isOrderStatus('picked_up')).toBe(true);
    expect(isOrderStatus('toString')).toBe(false);
    expect(isOrderStatus(3)).toBe(false);
  });
});
