import type { LiveOrder } from '../../../../common/protocol.js';
import { toApiError, type ApiError } from '../campaigns/admin-api.js';
import type { BoardMove } from './columns.js';
import type { PickupApi } from './pickup-api.js';

/** HTTP status of a move the order's current status does not allow, such as one another staff member made first. */
export const CONFLICT_STATUS = 409;

export type MoveOutcome =
  | { kind: 'moved'; order: LiveOrder }
  /** Someone moved the order first. `current` is the order read back after the 409, null when that read failed too. */
  | { kind: 'conflict'; error: ApiError; current: LiveOrder | null }
  | { kind: 'failed'; error: ApiError };

/**
 * Moves an order to `to`. On a 409 it reads the order back, so the board can show where the
 * other move put it. Never throws: every failure becomes an outcome.
 */
export async function moveOrder(api: Pick<PickupApi, 'setStatus' | 'getOrder'>, orderId: string, to: BoardMove): Promise<MoveOutcome> {
  try {
    return { kind: 'moved', order: await api.setStatus(orderId, to) };
  } catch (caught) {
    const error = toApiError(caught);
    if (error.status !== CONFLICT_STATUS) return { kind: 'failed', error };
    return { kind: 'conflict', error, current: await readOrderBack(api, orderId, 'move') };
  }
}

/**
 * Reads an order again after a 409, so the board can show where another request put it.
 * Returns null, with a warning, when that read fails too.
 */
export async function readOrderBack(api: Pick<PickupApi, 'getOrder'>, orderId: string, request: 'move' | 'refund'): Promise<LiveOrder | null> {
  try {
    return await api.getOrder(orderId);
  } catch (caught) {
    console.warn(`Reading order ${orderId} back after a conflicting ${request} failed; the board shows it as it was until the next frame.`, toApiError(caught));
    return null;
  }
}
