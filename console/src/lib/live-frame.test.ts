import { describe, expect, it } from 'vitest';
import { parseFrame } from './live-frame.js';
import { liveOrder } from './pickup/test-orders.js';

describe('parseFrame order frames', () => {
  it('parses an order frame', () => {
    const order = liveOrder({ id: 'order-1' });
    expect(parseFrame(JSON.stringify({ type: 'order', order }))).toEqual({ type: 'order', order });
  });

  it('parses an order without a pickup number or payment time', () => {
    const order = liveOrder({ id: 'order-1', status: 'placed', pickupNumber: null, paidAt: null, estimatedReadyAt: null });
    expect(parseFrame(JSON.stringify({ type: 'order', order }))).toEqual({ type: 'order', order });
  });

  it('rejects an order frame without its order', () => {
    expect(parseFrame('{"type":"order"}')).toBeNull();
    expect(parseFrame('{"type":"order","order":null}')).toBeNull();
  });

  it.each(['id', 'truckId', 'status', 'updatedAt', 'createdAt', 'lines'])('rejects an order without %s', (key) => {
    const order: Record<string, unknown> = { ...liveOrder({ id: 'order-1' }) };
    delete order[key];
    expect(parseFrame(JSON.stringify({ type: 'order', order }))).toBeNull();
  });

  it('rejects an order whose updatedAt is not a string', () => {
    const order = { ...liveOrder({ id: 'order-1' }), updatedAt: 1_765_000_000_000 };
    expect(parseFrame(JSON.stringify({ type: 'order', order }))).toBeNull();
  });
});
