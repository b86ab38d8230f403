import type { FenceRecord } from './fence-record.js';
import { compareStrings } from './offer-rules.js';
import type { DwellEvent, EnginePing, EnterEvent, ExitEvent, FenceEvent, UnknownEvent } from './types.js';

export function enterEvent(record: FenceRecord, ping: EnginePing, distanceM: number): EnterEvent {
  const { id: fenceId, campaignId, truckId } = record.fence;
  return { type: 'enter', deviceId: ping.deviceId, fenceId, campaignId, truckId, ping, distanceM };
}

export function dwellEvent(record: FenceRecord, ping: EnginePing, distanceM: number, enteredAt: number): DwellEvent {
  const { id: fenceId, campaignId, truckId } = record.fence;
  return { type: 'dwell', deviceId: ping.deviceId, fenceId, campaignId, truckId, ping, distanceM, enteredAt };
}

export function exitEvent(record: FenceRecord, ping: EnginePing, distanceM: number): ExitEvent {
  const { id: fenceId, campaignId, truckId } = record.fence;
  return { type: 'exit', deviceId: ping.deviceId, fenceId, campaignId, truckId, ping, distanceM };
}

export function unknownEvent(record: FenceRecord, ping: EnginePing, distanceM: number, lastSeenAt: number): UnknownEvent {
  const { id: fenceId, campaignId, truckId } = record.fence;
  return { type: 'unknown', deviceId: ping.deviceId, fenceId, campaignId, truckId, ping, distanceM, lastSeenAt };
}

/** Sorts fence events of one kind by fence id, the order `process` promises. */
export function byFenceId(events: FenceEvent[]): FenceEvent[] {
  return events.sort((a, b) => compareStrings(a.fenceId, b.fenceId));
}
