import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

/** A truck location from the San Francisco Mobile Food Facility Permit file (DataSF `rqzj-sfat`). */
export interface PermitLocation {
  locationId: string;
  applicant: string;
  address: string;
  foodItems: string;
  lat: number;
  lon: number;
}

/**
 * Reads the permit CSV and returns the APPROVED locations with real coordinates.
 * 48 rows of the December 2021 snapshot carry 0,0 for unknown positions; they are skipped.
 */
export async function readApprovedPermits(file: string): Promise<PermitLocation[]> {
  const locations: PermitLocation[] = [];
  const parser = parse({ columns: true, bom: true, skip_empty_lines: true });
  // pipe() does not forward a read error, so hand it to the parser to end the loop below.
  createReadStream(file)
    .on('error', (error) => parser.destroy(error))
    .pipe(parser);

  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    if (row.Status !== 'APPROVED') continue;
    const lat = Number(row.Latitude);
    const lon = Number(row.Longitude);
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || (lat === 0 && lon === 0)) continue;

    locations.push({
      locationId: row.locationid ?? '',
      applicant: row.Applicant ?? '',
      address: row.Address ?? '',
      foodItems: row.FoodItems ?? '',
      lat,
      lon,
    });
  }
  return locations;
}
