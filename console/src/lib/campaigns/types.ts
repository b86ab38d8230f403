/**
 * Shapes of the admin API's campaign workflow as they arrive over HTTP: instants are
 * ISO 8601 strings, and window and send times are local date-times such as
 * "2026-12-05T11:00" in the campaign's time zone.
 */
import type { ChannelName } from '../../../../channels/types.js';

export type { ChannelName };

export type CampaignStatus = 'draft' | 'scheduled' | 'active' | 'ended';
export type SegmentSource = 'nearby' | 'facebook' | 'twitter' | 'point_of_sale' | 'group';
/** Segment sources a marketer adds; `nearby` comes with every campaign. */
export type AddedSegmentSource = Exclude<SegmentSource, 'nearby'>;
export type CodeMode = 'shared' | 'unique';
export type BenefitKind = 'percent' | 'amount' | 'free_item';
export type SendStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'parked' | 'skipped' | 'cancelled';

/** Message kinds a template is written for: one per channel, and a post and a direct message for X. */
export const TEMPLATE_KINDS = ['push', 'sms', 'x_post', 'x_dm', 'messenger', 'email'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

export const SEND_STATUSES: readonly SendStatus[] = ['queued', 'sending', 'sent', 'delivered', 'failed', 'parked', 'skipped', 'cancelled'];

export interface LocalWindow {
  start: string;
  end: string;
}

export interface Truck {
  id: string;
  name: string;
  lat: number;
  lon: number;
  timeZone: string;
  permitLocationId?: string | null;
}

export interface Segment {
  id: string;
  source: SegmentSource;
  name: string;
  codeMode: CodeMode;
  sharedCode: string | null;
  members: number;
}

export interface Benefit {
  kind: BenefitKind;
  /** Percent for `percent`, minor units of `currency` for `amount`. */
  value?: number;
  currency?: string;
  item?: string;
  description?: string;
  minSpendMinor?: number;
  valid?: LocalWindow;
}

export interface Goal {
  reach: number;
  convert: number;
  revenueMinor?: number;
  currency?: string;
}

export interface Campaign {
  id: string;
  name: string;
  status: CampaignStatus;
  window: LocalWindow;
  radiusM: number;
  benefit: Benefit;
  truckIds: string[];
  segments: Segment[];
  goal: Goal | null;
  channels: ChannelName[];
  timeZone: string;
  sendAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TemplateText {
  subject?: string;
  body: string;
}

export type Templates = Partial<Record<TemplateKind, TemplateText>>;

export interface StoredTemplate {
  segmentId: string;
  kind: TemplateKind;
  subject: string | null;
  body: string;
  updatedAt: string;
}

/** The body of POST /campaigns and PUT /campaigns/:id. */
export interface CampaignDefinition {
  name: string;
  truckIds: 'all' | string[];
  window: LocalWindow;
  radiusM: number;
  benefit: Benefit;
  status: 'draft';
  goal?: Goal;
  channels: ChannelName[];
  timeZone?: string;
  sendAt?: string;
  segments: Array<{ source: AddedSegmentSource; name: string; codeMode: CodeMode; code?: string; templates?: Templates }>;
  nearbyTemplates?: Templates;
}

export type SendCounts = Partial<Record<SendStatus, number>>;

export interface CampaignSummary {
  campaign: Pick<Campaign, 'id' | 'name' | 'status' | 'goal' | 'channels' | 'window' | 'timeZone'>;
  reached: number;
  converted: number;
  offers: number;
  segments: Array<{ id: string; source: SegmentSource; name: string; members: number; sharedCode: string | null; sends: SendCounts }>;
  sends: SendCounts;
  nextSendAt: string | null;
}

export interface SendJob {
  id: string;
  campaignId: string;
  segmentId: string;
  contactId: string | null;
  kind: TemplateKind;
  code: string | null;
  sendAt: string;
  status: SendStatus;
  attempts: number;
  nextAttemptAt: string;
  provider: string | null;
  sender: string | null;
  recipient: string | null;
  providerMessageId: string | null;
  reason: string | null;
  sentAt: string | null;
  updatedAt: string;
}

export interface OutboxMessage {
  id: number;
  jobId: string;
  campaignId: string;
  /** `sms`, `email`, `messenger`, `x:post` or `x:dm`. */
  channel: string;
  recipient: string;
  subject: string | null;
  body: string;
  createdAt: string;
}

export const IMPORT_FORMATS = ['auto', 'meta-leads', 'square', 'x-followers', 'csv', 'json'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportProgress {
  bytesRead: number;
  rowsRead: number;
  contacts: number;
  issues: number;
  added?: number;
}

export interface ImportSummary {
  format?: string;
  complete: boolean;
  rowsRead: number;
  contacts: number;
  duplicates: number;
  rowsRejected: number;
  errors: number;
  warnings: number;
  issuesDropped: number;
  ignoredColumns: string[];
  bytesRead: number;
  added: number;
}

export interface ImportRecord {
  id: string;
  segmentId: string;
  status: 'running' | 'done' | 'failed';
  format: string;
  fileName: string | null;
  defaultCountry: string;
  progress: Partial<ImportProgress>;
  summary: ImportSummary | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export type IssueSeverity = 'error' | 'warning' | 'duplicate';

export interface ImportIssue {
  line: number;
  severity: IssueSeverity;
  field?: string;
  value?: string;
  reason: string;
}
