import type { LiveOrder } from '../../../../common/protocol.js';

export const TRUCK_ID = '6f1c1c52-8e47-4a61-9d43-3f1e1f4f6a01';

/** Builds a paid order of TRUCK_ID for the pickup tests, with `overrides` applied. */
export function liveOrder(overrides: Partial<LiveOrder> & Pick<LiveOrder, 'id'>): LiveOrder {
  return {
    truckId: TRUCK_ID,
    status: 'paid',
    pickupNumber: '001',
    customerName: 'Ana',
    lines: [{ itemId: 'taco', name: 'Taco', quantity: 2, choices: ['Extra salsa'] }],
    itemCount: 2,
    totalMinor: 800,
    currency: 'USD',
    paidAt: '2026-12-04T20:00:00.000Z',
    estimatedReadyAt: '2026-12-04T20:10:00.000Z',
    createdAt: '2026-12-04T19:59:00.000Z',
    updatedAt: '2026-12-04T20:00:00.000Z',
    ...overrides,
  };
}
