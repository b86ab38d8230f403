import type { Queryable } from '../../store/types.js';
import type { TemplateKind } from '../campaigns/definition.js';
import type { CampaignBenefit } from '../repos/campaigns.js';
import { getTemplate, type Template } from '../repos/templates.js';
import { localToInstant } from '../time-zone.js';

/** What every job of one campaign needs: read once per campaign and kept briefly. */
export interface CampaignContext {
  id: string;
  name: string;
  status: string;
  benefit: CampaignBenefit;
  timeZone: string;
  truckName: string;
  /** When the campaign's codes are accepted, ms since the epoch. */
  validFrom: number;
  validUntil: number;
}

export interface SegmentContext {
  id: string;
  codeMode: 'shared' | 'unique';
  sharedCode: string | null;
}

/** How long a campaign's or template's context is reused before it is read again. */
const CONTEXT_TTL_MS = 5_000;

/**
 * Caches what the scheduler reads for every job, so a segment of a million contacts
 * costs one read per campaign, segment and template every few seconds, not per message.
 */
export class JobContextCache {
  private readonly campaigns = new Map<string, { at: number; value: CampaignContext | undefined }>();
  private readonly segments = new Map<string, { at: number; value: SegmentContext | undefined }>();
  private readonly templates = new Map<string, { at: number; value: Template | undefined }>();

  constructor(
    private readonly db: Queryable,
    private readonly now: () => number,
  ) {}

  campaign(id: string): Promise<CampaignContext | undefined> {
    return this.cached(this.campaigns, id, () => loadCampaign(this.db, id));
  }

  segment(id: string): Promise<SegmentContext | undefined> {
    return this.cached(this.segments, id, async () => {
      const [row] = await this.db.query<{ id: string; code_mode: 'shared' | 'unique'; shared_code: string | null }>(
        `SELECT id, code_mode, shared_code FROM segments WHERE id = $1`,
        [id],
      );
      return row ? { id: row.id, codeMode: row.code_mode, sharedCode: row.shared_code } : undefined;
    });
  }

  template(segmentId: string, kind: TemplateKind): Promise<Template | undefined> {
    return this.cached(this.templates, `${segmentId}/${kind}`, () => getTemplate(this.db, segmentId, kind));
  }

  private async cached<T>(map: Map<string, { at: number; value: T }>, key: string, load: () => Promise<T>): Promise<T> {
    const hit = map.get(key);
    const now = this.now();
    if (hit && now - hit.at < CONTEXT_TTL_MS) return hit.value;
    const value = await load();
    map.set(key, { at: now, value });
    return value;
  }
}

async function loadCampaign(db: Queryable, id: string): Promise<CampaignContext | undefined> {
  const [row] = await db.query<{
    id: string;
    name: string;
    status: string;
    benefit: CampaignBenefit | string;
    time_zone: string | null;
    truck_name: string | null;
    truck_zone: string | null;
    window_from: Date | string | null;
    window_until: Date | string | null;
  }>(
    `SELECT c.id, c.name, c.status, c.benefit, c.time_zone,
       (SELECT t.name FROM campaign_trucks ct JOIN trucks t ON t.id = ct.truck_id WHERE ct.campaign_id = c.id ORDER BY t.created_at, t.id LIMIT 1) AS truck_name,
       (SELECT t.time_zone FROM campaign_trucks ct JOIN trucks t ON t.id = ct.truck_id WHERE ct.campaign_id = c.id ORDER BY t.created_at, t.id LIMIT 1) AS truck_zone,
       (SELECT min(active_from) FROM fences f WHERE f.campaign_id = c.id) AS window_from,
       (SELECT max(active_until) FROM fences f WHERE f.campaign_id = c.id) AS window_until
     FROM campaigns c WHERE c.id = $1`,
    [id],
  );
  if (!row) return undefined;
  const benefit = typeof row.benefit === 'string' ? (JSON.parse(row.benefit) as CampaignBenefit) : row.benefit;
  const timeZone = row.time_zone ?? row.truck_zone ?? 'UTC';
  const validity = benefit.valid
    ? {
        validFrom: localToInstant('benefit.valid.start', benefit.valid.start, timeZone),
        validUntil: localToInstant('benefit.valid.end', benefit.valid.end, timeZone),
      }
    : { validFrom: row.window_from ? new Date(row.window_from).getTime() : 0, validUntil: row.window_until ? new Date(row.window_until).getTime() : 0 };
  return { id: row.id, name: row.name, status: row.status, benefit, timeZone, truckName: row.truck_name ?? row.name, ...validity };
}
