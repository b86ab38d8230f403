import { storedChoice } from '../stored-choice.js';

/** localStorage key of the truck the pickup board follows, so the window's browser keeps it across reloads and sign-ins. */
export const TRUCK_STORAGE_KEY = 'cloudburst.pickupTruck';

const pickupTruck = storedChoice(TRUCK_STORAGE_KEY);

/** Returns the truck id saved by `saveTruckChoice`, or null when none was saved or storage is unavailable. */
export const readTruckChoice = pickupTruck.read;

/** Saves the truck id the pickup board follows, or removes the saved one for null. */
export const saveTruckChoice = pickupTruck.save;
