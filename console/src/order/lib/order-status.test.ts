import { describe, expect, it } from 'vitest';
import type { OrderUpdate, WireOrderStatus } from '../../../../common/protocol.js';
import { formatMessage } from '../../lib/messages/index.js';
import { orderDictionaries } from '../messages/index.js';
import { applyOrderUpdate, isFinalStatus, newerOrder, readCustomerOrder, statusMessage, type CustomerOrder } from './order-status.js';

const ORDER: CustomerOrder = {
  id: 'o1',
  truckId: 't1',
  status: 'paid',
  pickupNumber: '007',
  currency: 'USD',
  lines: [],
  itemCount: 2,
  subtotalMinor: 900,
  discountMinor: 90,
  totalMinor: 810,
  code: 'K7QW-9XTM',
  estimatedReadyAt: '2026-12-05T20:10:00.000Z',
  updatedAt: '2026-12-05T20:00:00.000Z',
};

function update(status: WireOrderStatus, updatedAt: string, orderId = 'o1'): OrderUpdate {
  return { orderId, truckId: 't1', status, pickupNumber: '007', estimatedReadyAt: '2026-12-05T20:12:00.000Z', updatedAt };
}

const english = (order: Pick<CustomerOrder, 'status' | 'pickupNumber'>) => {
  const message = statusMessage(order);
  return formatMessage(orderDictionaries.en[message.key], message.params);
};

describe('statusMessage', () => {
  it.each<[WireOrderStatus, string]>([
    ['placed', 'Waiting for payment.'],
    ['paid', 'Order 007 is paid. The truck will start on it soon.'],
    ['preparing', 'Order 007 is being prepared.'],
    ['ready', 'Order 007 is ready at the pickup window'],
    ['picked_up', 'Order 007 was picked up. Enjoy your meal!'],
    ['cancelled', 'This order was cancelled.'],
    ['refunded', 'This order was refunded.'],
  ])('says %s', (status, expected) => {
    expect(english({ status, pickupNumber: '007' })).toBe(expected);
  });

  it('says ready in Chinese', () => {
    const message = statusMessage({ status: 'ready', pickupNumber: '012' });
    expect(formatMessage(orderDictionaries['zh-CN'][message.key], message.params)).toBe('订单 012 已做好，请到取餐窗口取餐');
  });
});

describe('isFinalStatus', () => {
  it.each<[WireOrderStatus, boolean]>([
    ['placed', false],
    ['paid', false],
    ['preparing', false],
    ['ready', false],
    ['picked_up', true],
    ['cancelled', true],
    ['refunded', true],
  ])('%s is final: %s', (status, final) => {
    expect(isFinalStatus(status)).toBe(final);
  });
});

describe('applyOrderUpdate', () => {
  it('takes a newer status', () => {
    expect(applyOrderUpdate(ORDER, update('ready', '2026-12-05T20:05:00.000Z'))).toEqual({
      ...ORDER,
      status: 'ready',
      estimatedReadyAt: '2026-12-05T20:12:00.000Z',
      updatedAt: '2026-12-05T20:05:00.000Z',
    });
  });

  it('ignores an older update', () => {
    expect(applyOrderUpdate(ORDER, update('placed', '2026-12-05T19:59:00.000Z'))).toBe(ORDER);
  });

  it('ignores another order', () => {
    expect(applyOrderUpdate(ORDER, update('ready', '2026-12-05T20:05:00.000Z', 'o2'))).toBe(ORDER);
  });
});

describe('newerOrder', () => {
  const later = { ...ORDER, status: 'preparing' as const, updatedAt: '2026-12-05T20:03:00.000Z' };

  it('keeps the newer reading', () => {
    expect(newerOrder(later, ORDER)).toBe(later);
    expect(newerOrder(ORDER, later)).toBe(later);
  });

  it('takes the first reading and another order', () => {
    expect(newerOrder(null, ORDER)).toBe(ORDER);
    expect(newerOrder(later, { ...ORDER, id: 'o2' })).toEqual({ ...ORDER, id: 'o2' });
  });
});

describe('readCustomerOrder', () => {
  it('returns the order of a reply', () => {
    expect(readCustomerOrder({ order: ORDER, orderToken: 'secret' })).toBe(ORDER);
  });

  it.each([
    [{}, 'invalid order reply: missing "order" object'],
    [{ order: { ...ORDER, status: 'lost' } }, 'invalid order reply: order.status is "lost"'],
    [{ order: { ...ORDER, totalMinor: '810' } }, 'invalid order reply: order.totalMinor is "810" (expected an integer)'],
    [{ order: { ...ORDER, id: null } }, 'invalid order reply: order.id is null (expected a string)'],
    [{ order: { ...ORDER, lines: {} } }, 'invalid order reply: order.lines is not an array'],
  ])('rejects %j', (body, message) => {
    expect(() => readCustomerOrder(body)).toThrow(message);
  });
});
