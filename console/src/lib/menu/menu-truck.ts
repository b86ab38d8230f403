import { readTruckChoice } from '../pickup/truck-choice.js';
import { storedChoice, type ChoiceStorage } from '../stored-choice.js';

/** localStorage key of the truck whose menu the editor shows, kept apart from the pickup board's truck. */
export const MENU_TRUCK_STORAGE_KEY = 'cloudburst.menuTruck';

const menuTruck = storedChoice(MENU_TRUCK_STORAGE_KEY);

/**
 * Returns the truck id saved by `saveMenuTruck`, else the pickup board's truck, which is
 * most often the one whose menu the staff edits, else null.
 */
export function readMenuTruck(storage?: Pick<ChoiceStorage, 'getItem'>): string | null {
  return menuTruck.read(storage) ?? readTruckChoice(storage);
}

/** Saves the truck id whose menu the editor shows, or removes the saved one for null. */
export const saveMenuTruck = menuTruck.save;
