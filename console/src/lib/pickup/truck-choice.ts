/** localStorage key of the truck the pickup board follows, so the window's browser keeps it across reloads and sign-ins. */
export const TRUCK_STORAGE_KEY = 'cloudburst.pickupTruck';

/** Returns the truck id saved by `saveTruckChoice`, or null when none was saved or storage is unavailable. */
export function readTruckChoice(storage: Pick<Storage, 'getItem'> | undefined = browserStorage()): string | null {
  try {
    const saved = storage?.getItem(TRUCK_STORAGE_KEY)?.trim();
    return saved ? saved : null;
  } catch {
    // Storage is unavailable in some privacy modes, so the staff picks the truck again.
    return null;
  }
}

/** Saves the chosen truck id, or removes the saved choice for null. Without storage the choice lasts until the page reloads. */
export function saveTruckChoice(truckId: string | null, storage: Pick<Storage, 'setItem' | 'removeItem'> | undefined = browserStorage()): void {
  try {
    if (truckId === null) storage?.removeItem(TRUCK_STORAGE_KEY);
    else storage?.setItem(TRUCK_STORAGE_KEY, truckId);
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
