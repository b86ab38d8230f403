import { z } from 'zod';
import { CHANNEL_NAMES } from '../../channels/types.js';
import { MAX_WINDOW_MS } from '../campaign-fences.js';

/** Largest fence radius accepted: 50 km covers a metro area; larger is almost surely a unit mistake. */
const MAX_RADIUS_M = 50_000;

export const localDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'expected a local date-time like "2026-12-04T11:00"');

const currency = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code like "USD"');
const minorUnits = z.number().int('expected an integer amount in minor units (cents)').min(0).max(1_000_000_000);

/** What the campaign aims at: people reached, people who buy, and optionally revenue. */
export const goalSchema = z
  .object({
    reach: z.number().int().min(1).max(100_000_000),
    convert: z.number().int().min(0).max(100_000_000),
    revenueMinor: minorUnits.optional(),
    currency: currency.optional(),
  })
  .strict()
  .superRefine((goal, ctx) => {
    if (goal.convert > goal.reach) {
      ctx.addIssue({ code: 'custom', path: ['convert'], message: `expected at most the reach goal (${goal.reach}): people who buy were reached first` });
    }
    if (goal.revenueMinor !== undefined && goal.currency === undefined) {
      ctx.addIssue({ code: 'custom', path: ['currency'], message: 'expected a currency with revenueMinor' });
    }
  });

export const benefitSchema = z
  .object({
    kind: z.enum(['percent', 'amount', 'free_item']),
    value: z.number().positive().optional(),
    currency: currency.optional(),
    item: z.string().min(1).max(200).optional(),
    description: z.string().min(1).max(500).optional(),
    /** Smallest order, in minor units of `currency`, the code applies to. */
    minSpendMinor: minorUnits.optional(),
    /** When codes are accepted, in the campaign's time zone; the campaign window when left out. */
    valid: z.object({ start: localDateTime, end: localDateTime }).strict().optional(),
  })
  .strict()
  .superRefine((benefit, ctx) => {
    if (benefit.kind === 'percent' && (benefit.value === undefined || benefit.value > 100)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'expected a percent above 0 and at most 100 for kind "percent"' });
    }
    if (benefit.kind === 'amount' && (benefit.value === undefined || !Number.isInteger(benefit.value))) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'expected an integer amount in minor units for kind "amount"' });
    }
    if (benefit.kind === 'amount' && !benefit.currency) {
      ctx.addIssue({ code: 'custom', path: ['currency'], message: 'expected a currency for kind "amount"' });
    }
    if (benefit.kind === 'free_item' && !benefit.item) {
      ctx.addIssue({ code: 'custom', path: ['item'], message: 'expected the item name for kind "free_item"' });
    }
    if (benefit.minSpendMinor !== undefined && !benefit.currency) {
      ctx.addIssue({ code: 'custom', path: ['currency'], message: 'expected a currency with minSpendMinor' });
    }
  });

/**
 * The engine's transition rules as a campaign setting; each field left out takes the
 * engine's default (DEFAULT_FENCE_RULES). The bounds catch unit mistakes: a speed
 * limit up to 100 km/s leaves room for replays that run time faster than the clock.
 */
export const fenceRulesSchema = z
  .object({
    // Range before .int(), so a huge value is reported against this bound, not the safe-integer one.
    dwellMs: z.number().min(0).max(86_400_000).int(),
    offerOn: z.enum(['enter', 'dwell']),
    exitMarginM: z.number().min(0).max(5_000),
    staleAfterMs: z.number().min(1_000).max(MAX_WINDOW_MS).int(),
    maxAccuracyM: z.number().positive().max(100_000),
    maxSpeedMps: z.number().positive().max(100_000),
  })
  .partial()
  .strict();

/** Message kinds a template is written for: one per channel, and two for X. */
export const TEMPLATE_KINDS = ['push', 'sms', 'x_post', 'x_dm', 'messenger', 'email'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

export const templateSchema = z
  .object({
    subject: z.string().max(998).optional(),
    body: z.string().min(1).max(10_000),
  })
  .strict();

const templatesSchema = z.partialRecord(z.enum(TEMPLATE_KINDS), templateSchema);

/** Segment sources a marketer adds; the live `nearby` segment comes with every campaign. */
export const SEGMENT_SOURCES = ['facebook', 'twitter', 'point_of_sale', 'group'] as const;

export const segmentSchema = z
  .object({
    source: z.enum(SEGMENT_SOURCES),
    name: z.string().trim().min(1).max(200),
    /** `shared`: one human-friendly code for the whole segment, once per customer; `unique`: one single-use code per recipient. */
    codeMode: z.enum(['shared', 'unique']).optional(),
    /** The shared code the marketer picked; generated when left out. */
    code: z.string().trim().min(4).max(20).optional(),
    templates: templatesSchema.optional(),
  })
  .strict();

export type SegmentInput = z.infer<typeof segmentSchema>;

const channelsSchema = z
  .array(z.enum(CHANNEL_NAMES as [string, ...string[]]))
  .min(1)
  .max(CHANNEL_NAMES.length)
  .refine((channels) => new Set(channels).size === channels.length, 'expected each channel once');

export const newCampaignSchema = z.object({
  name: z.string().trim().min(1).max(200),
  truckIds: z.union([z.literal('all'), z.array(z.string().uuid('expected a truck id (UUID)').transform((id) => id.toLowerCase())).min(1).max(10_000)]),
  window: z.object({ start: localDateTime, end: localDateTime }).strict(),
  radiusM: z.number().positive().max(MAX_RADIUS_M),
  benefit: benefitSchema,
  rules: fenceRulesSchema.default({}),
  /** `draft` keeps the campaign off the engine until it is scheduled; `active` starts it at once (the default). */
  status: z.enum(['draft', 'active']).default('active'),
  goal: goalSchema.optional(),
  channels: channelsSchema.default(['push']),
  /** Zone of `benefit.valid` and `sendAt`; the first truck's zone when left out. */
  timeZone: z.string().min(1).max(64).optional(),
  /** When the scheduled messages go out, local time in `timeZone`; the window start when left out. */
  sendAt: localDateTime.optional(),
  segments: z.array(segmentSchema).max(20).default([]),
  /** Templates of the live nearby segment (the push that carries its code). */
  nearbyTemplates: templatesSchema.optional(),
  // Unknown keys are rejected: a misspelt `sendat` would otherwise be dropped without a word.
}).strict();

export type NewCampaignInput = z.infer<typeof newCampaignSchema>;
