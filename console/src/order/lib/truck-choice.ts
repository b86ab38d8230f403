import { distanceM } from '../../lib/geo.js';
import type { OfferTruck } from './offer.js';

/**
 * The list of trucks a code is valid at, for the customer to pick one. A campaign may
 * name dozens of trucks, several with the same name (the San Francisco demo has 58), so
 * the list is sorted, shortened and labelled to tell the trucks apart.
 */

/** Trucks the list shows until the customer expands it: what fits in a glance on a phone's screen. */
export const COLLAPSED_TRUCK_COUNT = 5;

/** A point in degrees, such as the phone's last location fix. */
export interface LatLon {
  lat: number;
  lon: number;
}

export interface TruckChoiceEntry {
  truck: OfferTruck;
  /** Metres from the phone, or null without a location fix or without the truck's coordinates. */
  distanceM: number | null;
  /**
   * Number of the truck among those of the same name, from north to south, or null when its
   * name is unique or its distance already sets it apart.
   */
  ordinal: number | null;
}

/**
 * Sorts the trucks for the choice: nearest first when the phone shared its location, else
 * by name as `compareNames` orders them. Without a location, trucks that share a name get
 * numbers from north to south, so "#2" names the same truck on every visit.
 */
export function truckChoices(trucks: readonly OfferTruck[], position: LatLon | null, compareNames: (a: string, b: string) => number): TruckChoiceEntry[] {
  const ordinals = position === null ? sameNameOrdinals(trucks) : new Map<string, number>();
  const entries = trucks.map((truck) => ({ truck, distanceM: distanceTo(truck, position), ordinal: ordinals.get(truck.id) ?? null }));

  return entries.sort((a, b) => {
    // A truck without coordinates sorts after those with a distance.
    if (a.distanceM !== b.distanceM) return (a.distanceM ?? Infinity) - (b.distanceM ?? Infinity);
    return compareNames(a.truck.name, b.truck.name) || (a.ordinal ?? 0) - (b.ordinal ?? 0);
  });
}

/**
 * Returns the entries the collapsed list shows: the first `limit`, and the selected truck
 * after them when it is further down, so the choice the customer made stays in sight.
 */
export function collapsedTruckChoices(entries: readonly TruckChoiceEntry[], selected: string | null, limit: number = COLLAPSED_TRUCK_COUNT): TruckChoiceEntry[] {
  const visible = entries.slice(0, limit);
  const selectedEntry = entries.find((entry) => entry.truck.id === selected);
  if (selectedEntry !== undefined && !visible.includes(selectedEntry)) visible.push(selectedEntry);
  return visible;
}

function distanceTo(truck: OfferTruck, position: LatLon | null): number | null {
  if (position === null || truck.lat === undefined || truck.lon === undefined) return null;
  return distanceM([position.lon, position.lat], [truck.lon, truck.lat]);
}

/** Numbers the trucks of each repeated name from north to south, then west to east; a truck without coordinates comes last. */
function sameNameOrdinals(trucks: readonly OfferTruck[]): Map<string, number> {
  const byName = new Map<string, OfferTruck[]>();
  for (const truck of trucks) byName.set(truck.name, [...(byName.get(truck.name) ?? []), truck]);

  const ordinals = new Map<string, number>();
  for (const group of byName.values()) {
    if (group.length < 2) continue;
    group.sort((a, b) => (b.lat ?? -Infinity) - (a.lat ?? -Infinity) || (a.lon ?? Infinity) - (b.lon ?? Infinity) || a.id.localeCompare(b.id));
    group.forEach((truck, index) => ordinals.set(truck.id, index + 1));
  }
  return ordinals;
}
