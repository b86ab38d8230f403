/**
 * The rendering types that `renderForChannel` returns, one per channel, and
 * the limits it checks. Types and constants only, so the editor can import
 * them without the renderer.
 */
import type { SmsEncoding } from './sms-encoding.js';
import type { ParsedTemplate, TemplateError, VariableName } from './template.js';
import type { Ucs2Trigger } from './ucs2-triggers.js';

export type { Ucs2Trigger };

/**
 * Maximum number of parts in one SMS. Ten GSM-7 parts hold 1,530 septets,
 * the largest whole number of parts under Twilio's 1,600-character body
 * limit (error 21617). The same cap applies to UCS-2, because carriers may
 * reject long UCS-2 messages well below that limit (Twilio error 30019).
 */
export const SMS_MAX_PARTS = 10;
/** Parts above which the SMS rendering warns, because Twilio bills each part as one message. */
export const SMS_DEFAULT_WARN_ABOVE_PARTS = 4;
/**
 * Length limit of an X direct message.
 * NOTE: X documents 10,000 characters without saying how it counts them, so
 * a DM is measured with the post weighting (CJK and emoji 2, a URL 23).
 */
export const X_DM_MAX_LENGTH = 10_000;
/**
 * Length limit of a Messenger text message, 2,000 characters.
 * NOTE: which unit Messenger counts is not confirmed here, so this counts
 * UTF-16 code units, never fewer than code points, to err on the strict side.
 */
export const MESSENGER_MAX_LENGTH = 2_000;
/** RFC 5322 section 2.1.1 recommends header lines of at most 78 characters. */
export const EMAIL_SUBJECT_RECOMMENDED_LENGTH = 78;
/** Push notification limits of the Cloudburst device SDK, in code points. */
export const PUSH_TITLE_MAX_LENGTH = 64;
export const PUSH_BODY_MAX_LENGTH = 240;

/** A template as source text, or already parsed to skip parsing per recipient. */
export type TemplateInput = string | ParsedTemplate;

export interface EmailTemplate {
  subject: TemplateInput;
  body: TemplateInput;
}

export interface PushTemplate {
  title: TemplateInput;
  body: TemplateInput;
}

/** A plain template for sms, x and messenger, and a pair of templates for email and push. */
export type ChannelTemplate = TemplateInput | EmailTemplate | PushTemplate;

export interface RenderOptions {
  /** SMS only: warn when the message takes more parts than this. Defaults to `SMS_DEFAULT_WARN_ABOVE_PARTS`. */
  warnAboveParts?: number;
  /** X only: a public post (the default) or a direct message. */
  kind?: 'post' | 'dm';
}

/** The rendered field an issue is about. */
export type RenderedField = 'text' | 'subject' | 'body' | 'title';

export type RenderingIssueCode =
  | 'invalid_template'
  | 'missing_value'
  | 'empty'
  | 'too_long'
  | 'too_many_parts'
  | 'many_parts'
  | 'long_subject'
  | 'invalid_characters';

/** A problem with a rendering. An error blocks sending, and a warning is for the editor. */
export interface RenderingIssue {
  severity: 'error' | 'warning';
  code: RenderingIssueCode;
  field: RenderedField;
  message: string;
  /** The parse error, positioned in that field's template, for `invalid_template`. */
  templateError?: TemplateError;
  /** The variable, for `missing_value`. */
  variable?: VariableName;
}

/** The fields every rendering has. */
export interface RenderingBase {
  issues: RenderingIssue[];
  /** True when no issue is an error, so the message may be sent. */
  ok: boolean;
}

export interface SmsRendering extends RenderingBase {
  channel: 'sms';
  text: string;
  encoding: SmsEncoding;
  /** Septets for GSM-7, UTF-16 code units for UCS-2, as `measureSms` counts. */
  units: number;
  parts: number;
  /** Capacity of one part: 160 or 153 for GSM-7, 70 or 67 for UCS-2. */
  perPart: number;
  remainingInPart: number;
  maxParts: typeof SMS_MAX_PARTS;
  warnAboveParts: number;
  /** Empty for GSM-7. */
  ucs2Triggers: Ucs2Trigger[];
}

export interface XRendering extends RenderingBase {
  channel: 'x';
  kind: 'post' | 'dm';
  text: string;
  weightedLength: number;
  /** 280 for a post, 10,000 for a DM. */
  limit: number;
  /** `limit - weightedLength`, negative when over. */
  remaining: number;
}

export interface MessengerRendering extends RenderingBase {
  channel: 'messenger';
  text: string;
  /** UTF-16 code units. */
  length: number;
  limit: typeof MESSENGER_MAX_LENGTH;
  remaining: number;
}

export interface EmailRendering extends RenderingBase {
  channel: 'email';
  /** Line breaks, which a header cannot contain, are replaced by one space. */
  subject: string;
  /** Code points. */
  subjectLength: number;
  text: string;
  /** HTML fragment with every substituted value escaped. */
  html: string;
}

export interface PushRendering extends RenderingBase {
  channel: 'push';
  /** May be empty, and the device then shows the app name. */
  title: string;
  /** Code points. */
  titleLength: number;
  body: string;
  /** Code points. */
  bodyLength: number;
}

export type Rendering = SmsRendering | XRendering | MessengerRendering | EmailRendering | PushRendering;
