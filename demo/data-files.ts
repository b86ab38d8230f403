import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of real input data: $CLOUDBURST_DATA, else `../shared/data` beside
 * the repository (where the GPS trajectories live; they are licensed for internal
 * testing only and are never copied into the repository).
 */
export function sharedDataDir(): string {
  if (process.env.CLOUDBURST_DATA) return path.resolve(process.env.CLOUDBURST_DATA);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth++) {
    const candidate = path.resolve(dir, '..', 'shared', 'data');
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve(process.cwd(), '..', 'shared', 'data');
}

export function defaultDataFile(name: string): string {
  return path.join(sharedDataDir(), name);
}

/**
 * The San Francisco Mobile Food Facility Permit file (DataSF `rqzj-sfat`, December 2021),
 * public domain under the PDDL, shipped with the repository.
 */
export const BUNDLED_PERMITS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  ...(fileURLToPath(import.meta.url).includes(`${path.sep}dist${path.sep}`) ? ['..', '..'] : ['..']),
  'demo',
  'data',
  'sf_mobile_food_facility_permit_2021-12.csv',
);
