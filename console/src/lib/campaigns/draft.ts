/**
 * The campaign editor's form model and its conversion to and from the API's campaign
 * definition. Numbers the marketer has not entered yet are null, as Svelte binds an
 * empty number input, and amounts are in major units (4.50) until they are sent.
 */
import { fromMinorUnits, toMinorUnits } from './money.js';
import { hasSubject, kindsForSegment } from './template-kinds.js';
import {
  TEMPLATE_KINDS,
  type AddedSegmentSource,
  type BenefitKind,
  type Campaign,
  type CampaignDefinition,
  type ChannelName,
  type CodeMode,
  type SegmentSource,
  type StoredTemplate,
  type TemplateKind,
  type Templates,
} from './types.js';

export interface TemplateDraft {
  /** Email subject or push title; unused by the other kinds. */
  subject: string;
  body: string;
}

export interface SegmentDraft {
  /** Stable key for keyed lists and element ids, also before the segment is saved. */
  key: string;
  /** Null until the campaign is saved with this segment. */
  id: string | null;
  source: SegmentSource;
  name: string;
  codeMode: CodeMode;
  /** The shared code the marketer picked; empty lets the server generate one. */
  code: string;
  members: number;
  templates: Record<TemplateKind, TemplateDraft>;
}

export interface CampaignDraft {
  name: string;
  goal: { reach: number | null; convert: number | null; revenue: number | null; currency: string };
  allTrucks: boolean;
  truckIds: string[];
  window: { start: string; end: string };
  /** Empty for the first truck's zone. */
  timeZone: string;
  /** Empty to send at the window start. */
  sendAt: string;
  radiusM: number | null;
  benefit: {
    kind: BenefitKind;
    percent: number | null;
    amount: number | null;
    currency: string;
    item: string;
    description: string;
    minSpend: number | null;
    limitValidity: boolean;
    validStart: string;
    validEnd: string;
  };
  channels: ChannelName[];
  nearby: SegmentDraft;
  segments: SegmentDraft[];
}

const DEFAULT_CURRENCY = 'USD';
const DEFAULT_RADIUS_M = 200;
const DEFAULT_WINDOW_HOURS = 3;
const HOUR_MS = 3_600_000;

let segmentKeys = 0;

function emptyTemplates(): Record<TemplateKind, TemplateDraft> {
  return Object.fromEntries(TEMPLATE_KINDS.map((kind) => [kind, { subject: '', body: '' }])) as Record<TemplateKind, TemplateDraft>;
}

/**
 * Returns the code mode a new segment starts with. Point-of-sale sign-ups share the code
 * printed next to the QR code, and X followers share one because a public post cannot
 * carry a code per person. Other sources get a single-use code per recipient.
 */
export function defaultCodeMode(source: SegmentSource): CodeMode {
  return source === 'point_of_sale' || source === 'twitter' ? 'shared' : 'unique';
}

/** Creates an unsaved segment with the code mode of `defaultCodeMode`. */
export function newSegment(source: SegmentSource, name = ''): SegmentDraft {
  segmentKeys += 1;
  return {
    key: `segment-${segmentKeys}`,
    id: null,
    source,
    name,
    codeMode: defaultCodeMode(source),
    code: '',
    members: 0,
    templates: emptyTemplates(),
  };
}

/** Formats a browser-local instant as the value of a datetime-local input, "2026-12-05T11:00". */
export function toLocalInput(instant: number): string {
  const date = new Date(instant);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Creates a new campaign for every truck, from the next full hour for three hours, with a 10 % discount. */
export function emptyDraft(now: number = Date.now()): CampaignDraft {
  const start = Math.ceil(now / HOUR_MS) * HOUR_MS;
  return {
    name: '',
    goal: { reach: null, convert: null, revenue: null, currency: DEFAULT_CURRENCY },
    allTrucks: true,
    truckIds: [],
    window: { start: toLocalInput(start), end: toLocalInput(start + DEFAULT_WINDOW_HOURS * HOUR_MS) },
    timeZone: '',
    sendAt: '',
    radiusM: DEFAULT_RADIUS_M,
    benefit: {
      kind: 'percent',
      percent: 10,
      amount: null,
      currency: DEFAULT_CURRENCY,
      item: '',
      description: '',
      minSpend: null,
      limitValidity: false,
      validStart: '',
      validEnd: '',
    },
    channels: ['push'],
    nearby: newSegment('nearby', 'Nearby phones'),
    segments: [],
  };
}

function hasGoal(goal: CampaignDraft['goal']): boolean {
  return goal.reach !== null || goal.convert !== null || goal.revenue !== null;
}

/** Returns true when the benefit needs a currency: an amount off, or a minimum spend. */
export function benefitNeedsCurrency(benefit: CampaignDraft['benefit']): boolean {
  return benefit.kind === 'amount' || benefit.minSpend !== null;
}

function toTemplates(segment: SegmentDraft, channels: readonly ChannelName[]): Templates | undefined {
  const templates: Templates = {};
  for (const kind of kindsForSegment(segment.source, channels)) {
    const { subject, body } = segment.templates[kind];
    if (subject.trim() === '' && body.trim() === '') continue;
    templates[kind] = hasSubject(kind) && subject !== '' ? { subject, body } : { body };
  }
  return Object.keys(templates).length > 0 ? templates : undefined;
}

/**
 * Builds the definition that POST /campaigns and PUT /campaigns/:id take. Only the
 * templates of the chosen channels are sent, and a template with neither subject nor
 * body is left out. Missing numbers become 0, so run checkDraft first.
 */
export function toDefinition(draft: CampaignDraft): CampaignDefinition {
  const { benefit, goal } = draft;
  const currency = benefit.currency.trim().toUpperCase();
  const definition: CampaignDefinition = {
    name: draft.name.trim(),
    truckIds: draft.allTrucks ? 'all' : [...draft.truckIds],
    window: { ...draft.window },
    radiusM: draft.radiusM ?? 0,
    benefit: { kind: benefit.kind },
    status: 'draft',
    channels: [...draft.channels],
    segments: draft.segments.map((segment) => ({
      source: segment.source as AddedSegmentSource,
      name: segment.name.trim(),
      codeMode: segment.codeMode,
      ...(segment.codeMode === 'shared' && segment.code.trim() !== '' ? { code: segment.code.trim() } : {}),
      ...withTemplates(toTemplates(segment, draft.channels)),
    })),
  };

  if (benefit.kind === 'percent') definition.benefit.value = benefit.percent ?? 0;
  if (benefit.kind === 'amount') definition.benefit.value = toMinorUnits(benefit.amount ?? 0, currency);
  if (benefit.kind === 'free_item') definition.benefit.item = benefit.item.trim();
  if (benefitNeedsCurrency(benefit)) definition.benefit.currency = currency;
  if (benefit.minSpend !== null) definition.benefit.minSpendMinor = toMinorUnits(benefit.minSpend, currency);
  if (benefit.description.trim() !== '') definition.benefit.description = benefit.description.trim();
  if (benefit.limitValidity) definition.benefit.valid = { start: benefit.validStart, end: benefit.validEnd };

  if (hasGoal(goal)) {
    const goalCurrency = goal.currency.trim().toUpperCase();
    definition.goal = { reach: goal.reach ?? 0, convert: goal.convert ?? 0 };
    if (goal.revenue !== null) {
      definition.goal.revenueMinor = toMinorUnits(goal.revenue, goalCurrency);
      definition.goal.currency = goalCurrency;
    }
  }
  if (draft.timeZone !== '') definition.timeZone = draft.timeZone;
  if (draft.sendAt !== '') definition.sendAt = draft.sendAt;
  const nearbyTemplates = toTemplates(draft.nearby, draft.channels);
  if (nearbyTemplates) definition.nearbyTemplates = nearbyTemplates;
  return definition;
}

function withTemplates(templates: Templates | undefined): { templates?: Templates } {
  return templates ? { templates } : {};
}

/** Builds the editor's model of a stored campaign and its templates. */
export function fromCampaign(campaign: Campaign, templates: readonly StoredTemplate[]): CampaignDraft {
  const { benefit, goal } = campaign;
  const currency = benefit.currency ?? DEFAULT_CURRENCY;
  const segments = campaign.segments.map((segment) => {
    const draft = newSegment(segment.source, segment.name);
    draft.id = segment.id;
    draft.codeMode = segment.codeMode;
    draft.code = segment.codeMode === 'shared' ? (segment.sharedCode ?? '') : '';
    draft.members = segment.members;
    for (const template of templates.filter((candidate) => candidate.segmentId === segment.id)) {
      draft.templates[template.kind] = { subject: template.subject ?? '', body: template.body };
    }
    return draft;
  });

  return {
    name: campaign.name,
    goal: {
      reach: goal?.reach ?? null,
      convert: goal?.convert ?? null,
      revenue: goal?.revenueMinor !== undefined && goal.currency ? fromMinorUnits(goal.revenueMinor, goal.currency) : null,
      currency: goal?.currency ?? DEFAULT_CURRENCY,
    },
    // NOTE: the server stores the truck list that 'all' resolved to, so a truck added later is not in a reloaded campaign.
    allTrucks: false,
    truckIds: [...campaign.truckIds],
    window: { start: trimSeconds(campaign.window.start), end: trimSeconds(campaign.window.end) },
    timeZone: campaign.timeZone,
    sendAt: campaign.sendAt ? trimSeconds(campaign.sendAt) : '',
    radiusM: campaign.radiusM,
    benefit: {
      kind: benefit.kind,
      percent: benefit.kind === 'percent' ? (benefit.value ?? null) : null,
      amount: benefit.kind === 'amount' && benefit.value !== undefined ? fromMinorUnits(benefit.value, currency) : null,
      currency,
      item: benefit.item ?? '',
      // NOTE: the server fills in a description when none was given, so after a reload it reads as
      // the marketer's own and no longer follows changes to the value.
      description: benefit.description ?? '',
      minSpend: benefit.minSpendMinor !== undefined ? fromMinorUnits(benefit.minSpendMinor, currency) : null,
      limitValidity: benefit.valid !== undefined,
      validStart: benefit.valid ? trimSeconds(benefit.valid.start) : '',
      validEnd: benefit.valid ? trimSeconds(benefit.valid.end) : '',
    },
    channels: [...campaign.channels],
    nearby: segments.find((segment) => segment.source === 'nearby') ?? newSegment('nearby', 'Nearby phones'),
    segments: segments.filter((segment) => segment.source !== 'nearby'),
  };
}

// A datetime-local input shows seconds when its value has them, so ":00" seconds are dropped.
function trimSeconds(local: string): string {
  return local.length === 19 && local.endsWith(':00') ? local.slice(0, 16) : local;
}

/** Copies the ids and member counts of the saved segments onto the draft's segments, matched by source and name as the server matches them. */
export function attachSegmentIds(draft: CampaignDraft, campaign: Campaign): void {
  for (const segment of [draft.nearby, ...draft.segments]) {
    const saved = campaign.segments.find((candidate) => candidate.source === segment.source && candidate.name === segment.name.trim());
    segment.id = saved?.id ?? null;
    segment.members = saved?.members ?? 0;
  }
}
