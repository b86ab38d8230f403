import { instantToLocal } from '../time-zone.js';

/** Returns the calendar date at the instant `at` (epoch milliseconds) in `timeZone`, as YYYY-MM-DD. */
export function localDateAt(at: number, timeZone: string): string {
  return instantToLocal(at, timeZone).slice(0, 10);
}
