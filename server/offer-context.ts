import type { OfferBenefit } from '../common/protocol.js';
import type { Queryable } from '../store/types.js';

interface CampaignFacts {
  name: string;
  benefit: OfferBenefit;
  /** The nearby segment's push template, when the marketer wrote one. */
  pushTemplate?: { title: string; body: string };
  timeZone: string;
}

interface TruckFacts {
  name: string;
  lat: number;
  lon: number;
}

/**
 * Caches what an offer payload needs besides the decision itself (campaign name and
 * benefit, truck name and position, fence end), so delivering an offer costs one
 * write instead of several reads. Entries are dropped when fences or trucks change.
 */
export class OfferContext {
  private readonly campaigns = new Map<string, CampaignFacts>();
  private readonly trucks = new Map<string, TruckFacts>();
  private readonly fenceEnds = new Map<string, number>();

  constructor(private readonly db: Queryable) {}

  async campaign(id: string): Promise<CampaignFacts> {
    const facts = this.campaigns.get(id) ?? (await this.loadCampaign(id));
    return facts;
  }

  async truck(id: string, campaignId: string): Promise<TruckFacts> {
    if (!this.trucks.has(id)) await this.loadCampaign(campaignId);
    const facts = this.trucks.get(id);
    if (!facts) throw new Error(`truck ${id} of campaign ${campaignId} not found in the store`);
    return facts;
  }

  /** End of the fence's active window (ms since the epoch); the offer's code is valid until then. */
  async fenceEnd(id: string, campaignId: string): Promise<number> {
    if (!this.fenceEnds.has(id)) await this.loadCampaign(campaignId);
    const end = this.fenceEnds.get(id);
    if (end === undefined) throw new Error(`fence ${id} of campaign ${campaignId} not found in the store`);
    return end;
  }

  /** Loads a campaign with all its fences and trucks in one query, so the first burst of offers reads the store once. */
  private async loadCampaign(id: string): Promise<CampaignFacts> {
    const rows = await this.db.query<{
      name: string;
      benefit: OfferBenefit | string;
      fence_id: string | null;
      active_until: Date | string | null;
      truck_id: string | null;
      truck_name: string | null;
      lat: number | null;
      lon: number | null;
      push_title: string | null;
      push_body: string | null;
      time_zone: string | null;
    }>(
      `SELECT c.name, c.benefit, tp.subject AS push_title, tp.body AS push_body, coalesce(c.time_zone, t.time_zone) AS time_zone,
              f.id AS fence_id, f.active_until, t.id AS truck_id, t.name AS truck_name,
              ST_Y(t.position::geometry) AS lat, ST_X(t.position::geometry) AS lon
       FROM campaigns c
       LEFT JOIN fences f ON f.campaign_id = c.id
       LEFT JOIN trucks t ON t.id = f.truck_id
       LEFT JOIN segments sg ON sg.campaign_id = c.id AND sg.source = 'nearby'
       LEFT JOIN templates tp ON tp.segment_id = sg.id AND tp.kind = 'push'
       WHERE c.id = $1`,
      [id],
    );
    const first = rows[0];
    if (!first) throw new Error(`campaign ${id} of an offer decision not found in the store`);

    const facts: CampaignFacts = {
      name: first.name,
      benefit: typeof first.benefit === 'string' ? (JSON.parse(first.benefit) as OfferBenefit) : first.benefit,
      timeZone: first.time_zone ?? 'UTC',
      ...(first.push_body !== null ? { pushTemplate: { title: first.push_title ?? '', body: first.push_body } } : {}),
    };
    this.campaigns.set(id, facts);
    for (const row of rows) {
      if (row.fence_id !== null && row.active_until !== null) this.fenceEnds.set(row.fence_id, new Date(row.active_until).getTime());
      if (row.truck_id !== null) this.trucks.set(row.truck_id, { name: row.truck_name ?? '', lat: Number(row.lat), lon: Number(row.lon) });
    }
    return facts;
  }

  forgetTruck(id: string): void {
    this.trucks.delete(id);
  }

  forgetFence(id: string): void {
    this.fenceEnds.delete(id);
  }

  forgetCampaign(id: string): void {
    this.campaigns.delete(id);
    for (const fenceId of this.fenceEnds.keys()) if (fenceId.startsWith(`${id}:`)) this.fenceEnds.delete(fenceId);
  }
}
