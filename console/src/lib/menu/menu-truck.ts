import { readTruckChoice } from '../pickup/truck-choice.js';

/** localStorage key of the truck whose menu the editor shows, kept apart from the pickup board's truck. */
export const MENU_TRUCK_STORAGE_KEY = 'cloudburst.menuTruck';

type ReadableStorage = Pick<Storage, 'getItem'>;

/**
 * Returns the truck id saved by `saveMenuTruck`, else the pickup board's truck, which is
 * most often the one whose menu the staff edits, else null.
 */
export function readMenuTruck(storage: ReadableStorage | undefined = browserStorage()): string | null {
  try {
    const saved = storage?.getItem(MENU_TRUCK_STORAGE_KEY)?.trim();
    if (saved) return saved;
  } catch {
    // Storage is unavailable in some privacy modes; the pickup board's choice is read the same way below.
  }
  return readTruckChoice(storage);
}

/** Saves the chosen truck id, or removes the saved choice for null. Without storage the choice lasts until the page reloads. */
export function saveMenuTruck(truckId: string | null, storage: Pick<Storage, 'setItem' | 'removeItem'> | undefined = browserStorage()): void {
  try {
    if (truckId === null) storage?.removeItem(MENU_TRUCK_STORAGE_KEY);
    else storage?.setItem(MENU_TRUCK_STORAGE_KEY, truckId);
  } catch {
    // A full or blocked storage only costs the choice on the next reload.
  }
}

function browserStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    // Reading localStorage itself throws when the browser blocks site data.
    return undefined;
  }
}
