import { AdminClient } from '../demo/admin-client.js';
import { BUNDLED_PERMITS } from '../demo/data-files.js';
import { readApprovedPermits } from '../demo/permits.js';
import { instantToLocal } from '../server/time-zone.js';

export interface BenchTruck {
  id: string;
  lat: number;
  lon: number;
}

export interface BenchCampaign {
  campaignId: string;
  trucks: BenchTruck[];
  radiusM: number;
}

const TRUCK_TIME_ZONE = 'America/Los_Angeles';
/** Length of the campaign window, which starts a minute ago: longer than any benchmark run. */
const CAMPAIGN_WINDOW_MS = 3 * 3_600_000;

/**
 * Creates one truck per approved location of the bundled San Francisco permit file
 * and one campaign around all of them, active from a minute ago for three hours,
 * through the admin API.
 */
export async function createLunchCampaign(url: string, adminToken: string, radiusM: number): Promise<BenchCampaign> {
  const admin = new AdminClient(url, adminToken);
  const trucks: BenchTruck[] = [];
  for (const permit of await readApprovedPermits(BUNDLED_PERMITS)) {
    const { truck } = await admin.request<{ truck: BenchTruck }>('POST', '/v1/admin/trucks', {
      name: permit.applicant,
      lat: permit.lat,
      lon: permit.lon,
      timeZone: TRUCK_TIME_ZONE,
      permitLocationId: permit.locationId,
    });
    trucks.push({ id: truck.id, lat: truck.lat, lon: truck.lon });
  }

  const now = Date.now();
  const { campaign } = await admin.request<{ campaign: { id: string } }>('POST', '/v1/admin/campaigns', {
    name: 'Benchmark lunch burst',
    truckIds: trucks.map((truck) => truck.id),
    window: { start: instantToLocal(now - 60_000, TRUCK_TIME_ZONE), end: instantToLocal(now + CAMPAIGN_WINDOW_MS, TRUCK_TIME_ZONE) },
    radiusM,
    benefit: { kind: 'percent', value: 20 },
  });
  return { campaignId: campaign.id, trucks, radiusM };
}
