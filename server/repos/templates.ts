import type { Queryable } from '../../store/types.js';
import type { TemplateKind } from '../campaigns/definition.js';

export interface Template {
  segmentId: string;
  kind: TemplateKind;
  subject: string | null;
  body: string;
  updatedAt: string;
}

interface TemplateRow {
  segment_id: string;
  kind: TemplateKind;
  subject: string | null;
  body: string;
  updated_at: Date | string;
}

function toTemplate(row: TemplateRow): Template {
  return { segmentId: row.segment_id, kind: row.kind, subject: row.subject, body: row.body, updatedAt: new Date(row.updated_at).toISOString() };
}

export async function upsertTemplate(db: Queryable, segmentId: string, kind: TemplateKind, template: { subject?: string; body: string }): Promise<void> {
  await db.query(
    `INSERT INTO templates (segment_id, kind, subject, body) VALUES ($1, $2, $3, $4)
     ON CONFLICT (segment_id, kind) DO UPDATE SET subject = excluded.subject, body = excluded.body, updated_at = now()`,
    [segmentId, kind, template.subject ?? null, template.body],
  );
}

export async function deleteTemplate(db: Queryable, segmentId: string, kind: TemplateKind): Promise<boolean> {
  const rows = await db.query(`DELETE FROM templates WHERE segment_id = $1 AND kind = $2 RETURNING kind`, [segmentId, kind]);
  return rows.length > 0;
}

export async function getTemplate(db: Queryable, segmentId: string, kind: TemplateKind): Promise<Template | undefined> {
  const rows = await db.query<TemplateRow>(`SELECT * FROM templates WHERE segment_id = $1 AND kind = $2`, [segmentId, kind]);
  return rows[0] ? toTemplate(rows[0]) : undefined;
}

export async function listTemplatesOfCampaign(db: Queryable, campaignId: string): Promise<Template[]> {
  const rows = await db.query<TemplateRow>(
    `SELECT t.* FROM templates t JOIN segments s ON s.id = t.segment_id WHERE s.campaign_id = $1 ORDER BY s.created_at, t.kind`,
    [campaignId],
  );
  return rows.map(toTemplate);
}
