import type { LiveFrame } from '../../../common/protocol.js';

const FRAME_TYPES = new Set<string>(['snapshot', 'truck', 'fence', 'fence-removed', 'devices', 'offer', 'order', 'error']);

/** Parses one text frame. Returns null unless it is a JSON object whose `type` is a known frame type. */
export function parseFrame(data: unknown): LiveFrame | null {
  if (typeof data !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !FRAME_TYPES.has(type)) return null;
  if (type === 'order' && !hasOrderKeys((value as { order?: unknown }).order)) return null;
  // NOTE: only the type, and an order's keys, are checked. The other fields of each frame are trusted to match common/protocol.ts.
  return value as LiveFrame;
}

/**
 * Checks the fields the pickup board keys, sorts and filters on, so one malformed order
 * frame is dropped instead of breaking the queue.
 */
function hasOrderKeys(order: unknown): boolean {
  if (typeof order !== 'object' || order === null) return false;
  const { id, truckId, status, updatedAt, createdAt, lines } = order as Record<string, unknown>;
  return (
    typeof id === 'string' &&
    typeof truckId === 'string' &&
    typeof status === 'string' &&
    typeof updatedAt === 'string' &&
    typeof createdAt === 'string' &&
    Array.isArray(lines)
  );
}
