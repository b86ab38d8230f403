import type { LiveFrame } from '../../../common/protocol.js';

const FRAME_TYPES = new Set<string>(['snapshot', 'truck', 'fence', 'fence-removed', 'devices', 'offer', 'error']);

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
  // NOTE: only the type is checked, and the fields of each frame are trusted to match common/protocol.ts.
  return typeof type === 'string' && FRAME_TYPES.has(type) ? (value as LiveFrame) : null;
}
