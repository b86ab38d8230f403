import { EARTH_RADIUS_M } from '../engine/index.js';
import { createCampaign } from '../server/campaigns/service.js';
import { insertPings } from '../server/repos/pings.js';
import { upsertTruck, type Truck } from '../server/repos/trucks.js';
import type { Db } from '../store/types.js';

/**
 * A small recorded lunch for replay tests. Two trucks in San Francisco have a campaign
 * from 11:00 to 13:00 Los Angeles time on 16 November 2026 (19:00Z to 21:00Z). The
 * pings of five phones are chosen so that radius, window and rules each change who is
 * reached.
 */
export const SCENARIO_DAY = '2026-11-16';
export const SCENARIO_WINDOW = { start: `${SCENARIO_DAY}T11:00`, end: `${SCENARIO_DAY}T13:00` };
export const WINDOW_FROM = Date.parse(`${SCENARIO_DAY}T19:00:00Z`);
export const WINDOW_TO = Date.parse(`${SCENARIO_DAY}T21:00:00Z`);

const TACO = { lat: 37.7793, lon: -122.4193 };
/** About 2.4 km north-east of TACO, so no 400 m fence covers both. */
const CURRY = { lat: 37.7946, lon: -122.3999 };

export const DEVICES = {
  /** Passes 100 m north of Taco at 19:10Z, then leaves. */
  nearTaco: '0a000000-0000-4000-8000-000000000001',
  /** Passes 300 m south of Taco at 19:25Z: reached only by a fence wider than 300 m. */
  wideOfTaco: '0a000000-0000-4000-8000-000000000002',
  /** Stands 50 m from Curry at 18:30Z and 21:30Z, both outside the window. */
  outsideWindow: '0a000000-0000-4000-8000-000000000003',
  /** 80 m from Curry from 20:06Z to 20:07:30Z, so it dwells there, then leaves. */
  dwellsAtCurry: '0a000000-0000-4000-8000-000000000004',
  /** Jumps 5 km in 10 s to Taco at 19:40:10Z (flagged), and is entered at its next ping, 19:50Z. */
  jumpsToTaco: '0a000000-0000-4000-8000-000000000005',
} as const;

/** A fix of the scenario: device, UTC time and position. */
export interface ScenarioPing {
  deviceId: string;
  seq: number;
  ts: number;
  lat: number;
  lon: number;
  accuracy: number;
}

/** Returns the point `metres` north (negative: south) of `at`, along its meridian. */
function north(at: { lat: number; lon: number }, metres: number): { lat: number; lon: number } {
  return { lat: at.lat + (metres / EARTH_RADIUS_M) * (180 / Math.PI), lon: at.lon };
}

function at(time: string): number {
  return Date.parse(`${SCENARIO_DAY}T${time}Z`);
}

const FIXES: Array<[string, string, { lat: number; lon: number }]> = [
  [DEVICES.nearTaco, '19:05:00', north(TACO, 1_000)],
  [DEVICES.nearTaco, '19:10:00', north(TACO, 100)],
  [DEVICES.nearTaco, '19:15:00', north(TACO, 1_000)],
  [DEVICES.wideOfTaco, '19:20:00', north(TACO, -1_500)],
  [DEVICES.wideOfTaco, '19:25:00', north(TACO, -300)],
  [DEVICES.wideOfTaco, '19:30:00', north(TACO, -1_500)],
  [DEVICES.outsideWindow, '18:30:00', north(CURRY, 50)],
  [DEVICES.outsideWindow, '21:30:00', north(CURRY, 50)],
  [DEVICES.dwellsAtCurry, '20:05:00', north(CURRY, -1_000)],
  [DEVICES.dwellsAtCurry, '20:06:00', north(CURRY, -80)],
  [DEVICES.dwellsAtCurry, '20:06:30', north(CURRY, -80)],
  [DEVICES.dwellsAtCurry, '20:07:30', north(CURRY, -80)],
  [DEVICES.dwellsAtCurry, '20:10:00', north(CURRY, -1_000)],
  [DEVICES.jumpsToTaco, '19:40:00', north(TACO, 5_000)],
  [DEVICES.jumpsToTaco, '19:40:10', north(TACO, 50)],
  [DEVICES.jumpsToTaco, '19:50:00', north(TACO, 50)],
];

/** The scenario's pings, numbered per device, in the order above (not sorted by time). */
export const SCENARIO_PINGS: ScenarioPing[] = (() => {
  const seqs = new Map<string, number>();
  return FIXES.map(([deviceId, time, position]) => {
    const seq = (seqs.get(deviceId) ?? 0) + 1;
    seqs.set(deviceId, seq);
    return { deviceId, seq, ts: at(time), ...position, accuracy: 10 };
  });
})();

/** The pings whose fix time is in the campaign window. */
export const PINGS_IN_WINDOW = SCENARIO_PINGS.filter((ping) => ping.ts >= WINDOW_FROM && ping.ts < WINDOW_TO).length;

export interface ScenarioStore {
  taco: Truck;
  curry: Truck;
  campaignId: string;
}

/** Creates the trucks and the 200 m campaign, and records the pings, straight in the store. */
export async function loadScenario(db: Db): Promise<ScenarioStore> {
  const { truck: taco } = await upsertTruck(db, { name: 'Taco Cloud', ...TACO, timeZone: 'America/Los_Angeles' });
  const { truck: curry } = await upsertTruck(db, { name: 'Curry Up', ...CURRY, timeZone: 'America/Los_Angeles' });
  const { campaign } = await createCampaign(db, {
    name: 'Replayed lunch',
    truckIds: [taco.id, curry.id],
    window: SCENARIO_WINDOW,
    radiusM: 200,
    benefit: { kind: 'percent', value: 10 },
  });
  await insertPings(
    db,
    SCENARIO_PINGS.map((ping, offset) => ({ ping: { ...ping, receivedAt: ping.ts + 500 }, partition: 0, offset })),
  );
  return { taco, curry, campaignId: campaign.id };
}

/** Returns the scenario's pings as JSON lines, one ping per line as in a ping file. */
export function scenarioJsonLines(): string[] {
  return SCENARIO_PINGS.map(({ deviceId, seq, ts, lat, lon, accuracy }) => JSON.stringify({ deviceId, seq, lat, lon, accuracy, ts }));
}
