import { describe, expect, it } from 'vitest';
import {
  applyOrder,
  boardOrders,
  cancelFetch,
  compareVersions,
  emptyQueue,
  finishFetch,
  MAX_RETIRED_ORDERS,
  startFetch,
  type PickupQueue,
} from './queue.js';
import { liveOrder, TRUCK_ID } from './test-orders.js';

const at = (minute: number) => `2026-12-04T20:${String(minute).padStart(2, '0')}:00.000Z`;

function queueOf(...orders: Parameters<typeof liveOrder>[0][]): PickupQueue {
  return orders.reduce((queue, order) => applyOrder(queue, liveOrder(order)), emptyQueue(TRUCK_ID));
}

const idsOnBoard = (queue: PickupQueue) => boardOrders(queue).map((order) => order.id);

describe('compareVersions', () => {
  it('orders by updatedAt first', () => {
    const older = liveOrder({ id: 'a', status: 'ready', updatedAt: at(1) });
    const newer = liveOrder({ id: 'a', status: 'preparing', updatedAt: at(2) });
    expect(compareVersions(newer, older)).toBeGreaterThan(0);
    expect(compareVersions(older, newer)).toBeLessThan(0);
  });

  it('breaks a tie by the later status', () => {
    const preparing = liveOrder({ id: 'a', status: 'preparing', updatedAt: at(1) });
    const ready = liveOrder({ id: 'a', status: 'ready', updatedAt: at(1) });
    expect(compareVersions(ready, preparing)).toBeGreaterThan(0);
    expect(compareVersions(preparing, preparing)).toBe(0);
  });

  it('compares instants, not their spelling', () => {
    const utc = liveOrder({ id: 'a', updatedAt: '2026-12-04T20:00:00.000Z' });
    const offset = liveOrder({ id: 'a', updatedAt: '2026-12-04T12:00:00.000-08:00' });
    expect(compareVersions(utc, offset)).toBe(0);
  });
});

describe('applyOrder', () => {
  it('adds a new order', () => {
    const queue = applyOrder(emptyQueue(TRUCK_ID), liveOrder({ id: 'a' }));
    expect(idsOnBoard(queue)).toEqual(['a']);
  });

  it('ignores orders of another truck', () => {
    const queue = emptyQueue(TRUCK_ID);
    expect(applyOrder(queue, liveOrder({ id: 'a', truckId: 'other-truck' }))).toBe(queue);
  });

  it('ignores every order without a truck', () => {
    const queue = emptyQueue(null);
    expect(applyOrder(queue, liveOrder({ id: 'a' }))).toBe(queue);
  });

  it('replaces an order with a newer version', () => {
    const queue = applyOrder(queueOf({ id: 'a', updatedAt: at(0) }), liveOrder({ id: 'a', status: 'preparing', updatedAt: at(1) }));
    expect(queue.known.get('a')?.status).toBe('preparing');
  });

  it('keeps the newer version when an older frame arrives late', () => {
    const queue = queueOf({ id: 'a', status: 'ready', updatedAt: at(2) });
    expect(applyOrder(queue, liveOrder({ id: 'a', status: 'preparing', updatedAt: at(1) }))).toBe(queue);
    expect(queue.known.get('a')?.status).toBe('ready');
  });

  it('takes a frame sent twice', () => {
    const order = liveOrder({ id: 'a' });
    const queue = applyOrder(applyOrder(emptyQueue(TRUCK_ID), order), { ...order });
    expect([...queue.known.values()]).toEqual([order]);
  });

  it('replaces an equal version', () => {
    const queue = applyOrder(queueOf({ id: 'a', pickupNumber: null }), liveOrder({ id: 'a', pickupNumber: '004' }));
    expect(queue.known.get('a')?.pickupNumber).toBe('004');
  });

  it.each(['picked_up', 'cancelled', 'refunded'] as const)('takes an order %s off the board', (status) => {
    const queue = applyOrder(queueOf({ id: 'a', updatedAt: at(0) }, { id: 'b' }), liveOrder({ id: 'a', status, updatedAt: at(3) }));
    expect(idsOnBoard(queue)).toEqual(['b']);
  });

  it('ignores a late ready frame after pickup', () => {
    let queue = queueOf({ id: 'a', status: 'picked_up', updatedAt: at(5) });
    queue = applyOrder(queue, liveOrder({ id: 'a', status: 'ready', updatedAt: at(4) }));
    expect(idsOnBoard(queue)).toEqual([]);
  });
});

describe('boardOrders', () => {
  it('sorts first paid first', () => {
    const queue = queueOf({ id: 'late', paidAt: at(9) }, { id: 'early', paidAt: at(1) }, { id: 'middle', paidAt: at(5) });
    expect(idsOnBoard(queue)).toEqual(['early', 'middle', 'late']);
  });

  it('puts orders without a payment time last, by creation', () => {
    const queue = queueOf(
      { id: 'unpaid-2', paidAt: null, createdAt: at(2) },
      { id: 'paid', paidAt: at(8) },
      { id: 'unpaid-1', paidAt: null, createdAt: at(1) },
    );
    expect(idsOnBoard(queue)).toEqual(['paid', 'unpaid-1', 'unpaid-2']);
  });

  it('orders a tie by creation, then by id', () => {
    const queue = queueOf(
      { id: 'b', paidAt: at(1), createdAt: at(0) },
      { id: 'c', paidAt: at(1), createdAt: at(0) },
      { id: 'a', paidAt: at(1), createdAt: at(0) },
      { id: 'first', paidAt: at(1), createdAt: '2026-12-04T19:30:00.000Z' },
    );
    expect(idsOnBoard(queue)).toEqual(['first', 'a', 'b', 'c']);
  });

  it('leaves out orders not yet paid', () => {
    expect(idsOnBoard(queueOf({ id: 'placed', status: 'placed', paidAt: null }))).toEqual([]);
  });
});

describe('fetching the queue', () => {
  it('takes the listed orders', () => {
    const queue = finishFetch(startFetch(emptyQueue(TRUCK_ID)), [liveOrder({ id: 'a', paidAt: at(2) }), liveOrder({ id: 'b', paidAt: at(1) })]);
    expect(idsOnBoard(queue)).toEqual(['b', 'a']);
    expect(queue.changedDuringFetch).toBeNull();
  });

  it('drops board orders the list no longer has', () => {
    const before = queueOf({ id: 'gone' }, { id: 'kept' });
    const queue = finishFetch(startFetch(before), [liveOrder({ id: 'kept' })]);
    expect(idsOnBoard(queue)).toEqual(['kept']);
    expect(queue.known.has('gone')).toBe(false);
  });

  it('keeps an order a frame brought in while the fetch ran', () => {
    const running = applyOrder(startFetch(emptyQueue(TRUCK_ID)), liveOrder({ id: 'new', paidAt: at(3) }));
    const queue = finishFetch(running, [liveOrder({ id: 'old', paidAt: at(1) })]);
    expect(idsOnBoard(queue)).toEqual(['old', 'new']);
  });

  it('keeps the newer version of an order moved while the fetch ran', () => {
    const running = applyOrder(startFetch(queueOf({ id: 'a' })), liveOrder({ id: 'a', status: 'picked_up', updatedAt: at(6) }));
    const queue = finishFetch(running, [liveOrder({ id: 'a', status: 'ready', updatedAt: at(5) })]);
    expect(idsOnBoard(queue)).toEqual([]);
    expect(queue.known.get('a')?.status).toBe('picked_up');
  });

  it('takes the listed version when it is newer than the known one', () => {
    const queue = finishFetch(startFetch(queueOf({ id: 'a', updatedAt: at(0) })), [liveOrder({ id: 'a', status: 'ready', updatedAt: at(7) })]);
    expect(queue.known.get('a')?.status).toBe('ready');
  });

  it('ignores listed orders of another truck', () => {
    const queue = finishFetch(startFetch(emptyQueue(TRUCK_ID)), [liveOrder({ id: 'a', truckId: 'other-truck' })]);
    expect(queue.known.size).toBe(0);
  });

  it('forgets frames of a fetch started over', () => {
    let queue = applyOrder(startFetch(emptyQueue(TRUCK_ID)), liveOrder({ id: 'early' }));
    queue = startFetch(queue);
    expect(queue.changedDuringFetch).toEqual(new Set());
    expect(idsOnBoard(finishFetch(queue, []))).toEqual([]);
  });

  it('keeps the queue when a fetch is cancelled', () => {
    const running = applyOrder(startFetch(queueOf({ id: 'a' })), liveOrder({ id: 'b' }));
    const queue = cancelFetch(running);
    expect(idsOnBoard(queue)).toEqual(['a', 'b']);
    expect(queue.changedDuringFetch).toBeNull();
    expect(cancelFetch(queue)).toBe(queue);
  });

  it('keeps at most MAX_RETIRED_ORDERS retired orders, the newest', () => {
    let queue = startFetch(emptyQueue(TRUCK_ID));
    for (let index = 0; index < MAX_RETIRED_ORDERS + 2; index++) {
      queue = applyOrder(queue, liveOrder({ id: `done-${index}`, status: 'picked_up', updatedAt: new Date(Date.UTC(2026, 11, 4, 20, 0, index)).toISOString() }));
    }
    queue = finishFetch(queue, [liveOrder({ id: 'open' })]);
    expect(queue.known.size).toBe(MAX_RETIRED_ORDERS + 1);
    expect(queue.known.has('done-0')).toBe(false);
    expect(queue.known.has('done-1')).toBe(false);
    expect(queue.known.has('done-2')).toBe(true);
    expect(queue.known.has('open')).toBe(true);
  });
});
