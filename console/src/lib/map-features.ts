import type { Feature, FeatureCollection, LineString, Point, Polygon } from 'geojson';
import type { LiveFence, LiveTruck } from '../../../common/protocol.js';
import { circleRing, gridLines, gridStep, type Bounds, type Position } from './geo.js';
import type { DeviceEntry, OfferEntry } from './live-model.js';

/** A device drawn grey when its last position arrived longer ago than this. */
export const DEVICE_STALE_AFTER_MS = 2 * 60_000;
/** Offers stay on the map for this long after they arrive. */
export const OFFER_VISIBLE_MS = 5 * 60_000;
/** Vertices of each fence circle. */
export const FENCE_VERTICES = 64;

export interface TruckProperties {
  id: string;
  name: string;
  /** Empty when the truck has no permit location. */
  permitLocationId: string;
}

function collection<G extends Point | Polygon | LineString, P>(features: Feature<G, P>[]): FeatureCollection<G, P> {
  return { type: 'FeatureCollection', features };
}

/**
 * Positions that frame the trucks for the first view: each truck, plus the ring of each fence so
 * fences at the edge are not cut off.
 */
export function truckAndFencePositions(trucks: Iterable<LiveTruck>, fences: Iterable<LiveFence>): Position[] {
  const positions: Position[] = [...trucks].map((truck) => [truck.lon, truck.lat]);
  if (positions.length === 0) return positions;
  for (const fence of fences) positions.push(...circleRing([fence.lon, fence.lat], fence.radiusM, 16));
  return positions;
}

export function truckFeatures(trucks: Iterable<LiveTruck>): FeatureCollection<Point, TruckProperties> {
  return collection(
    [...trucks].map((truck) => ({
      type: 'Feature' as const,
      id: truck.id,
      geometry: { type: 'Point' as const, coordinates: [truck.lon, truck.lat] },
      properties: { id: truck.id, name: truck.name, permitLocationId: truck.permitLocationId ?? '' },
    })),
  );
}

/** Fence circles as polygons. The `active` property is true when `now` lies in [activeFrom, activeUntil). */
export function fenceFeatures(fences: Iterable<LiveFence>, now: number): FeatureCollection<Polygon, { id: string; active: boolean }> {
  return collection(
    [...fences].map((fence) => ({
      type: 'Feature' as const,
      id: fence.id,
      geometry: { type: 'Polygon' as const, coordinates: [circleRing([fence.lon, fence.lat], fence.radiusM, FENCE_VERTICES)] },
      properties: { id: fence.id, active: Date.parse(fence.activeFrom) <= now && now < Date.parse(fence.activeUntil) },
    })),
  );
}

export function deviceFeatures(devices: Iterable<DeviceEntry>, now: number): FeatureCollection<Point, { id: string; stale: boolean }> {
  return collection(
    [...devices].map((device) => ({
      type: 'Feature' as const,
      geometry: { type: 'Point' as const, coordinates: [device.lon, device.lat] },
      properties: { id: device.id, stale: now - device.receivedAt > DEVICE_STALE_AFTER_MS },
    })),
  );
}

/** Offers that arrived within OFFER_VISIBLE_MS of `now`, placed at the ping that triggered them. */
export function offerFeatures(offers: Iterable<OfferEntry>, now: number): FeatureCollection<Point, { offerId: string }> {
  return collection(
    [...offers]
      .filter((entry) => now - entry.receivedAt <= OFFER_VISIBLE_MS)
      .map(({ offer }) => ({
        type: 'Feature' as const,
        geometry: { type: 'Point' as const, coordinates: [offer.ping.lon, offer.ping.lat] },
        properties: { offerId: offer.offerId },
      })),
  );
}

export function gridFeatures(bounds: Bounds): FeatureCollection<LineString, Record<string, never>> {
  return collection(
    gridLines(bounds, gridStep(bounds)).map((coordinates) => ({
      type: 'Feature' as const,
      geometry: { type: 'LineString' as const, coordinates },
      properties: {},
    })),
  );
}
