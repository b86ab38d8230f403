/**
 * Renders a campaign message for one channel and checks it against that
 * channel's limits. The console calls it on every keystroke with sample or
 * worst-case values (see preview-values.ts). The server calls it per
 * recipient with real values and treats a rendering with an error (`ok`
 * false) as a permanent failure for that recipient.
 */
import { CHANNEL_NAMES, type ChannelName } from '../channels/types.js';
import { invalidInput } from '../common/errors.js';
import { renderEmailHtml } from './email-html.js';
import { measurePost } from './post-length.js';
import {
  EMAIL_SUBJECT_RECOMMENDED_LENGTH,
  MESSENGER_MAX_LENGTH,
  PUSH_BODY_MAX_LENGTH,
  PUSH_TITLE_MAX_LENGTH,
  SMS_DEFAULT_WARN_ABOVE_PARTS,
  SMS_MAX_PARTS,
  X_DM_MAX_LENGTH,
  type ChannelTemplate,
  type EmailRendering,
  type EmailTemplate,
  type MessengerRendering,
  type PushRendering,
  type PushTemplate,
  type RenderedField,
  type Rendering,
  type RenderingBase,
  type RenderingIssue,
  type RenderOptions,
  type SmsRendering,
  type TemplateInput,
  type XRendering,
} from './rendering.js';
import { measureSms, type SmsEncoding } from './sms-encoding.js';
import { findMissingValues, parseTemplate, renderTemplate, type ParsedTemplate, type TemplateValues } from './template.js';
import { findUcs2Triggers } from './ucs2-triggers.js';

export * from './rendering.js';

/**
 * Renders `template` with one recipient's `values` for `channel` and lists
 * every issue: template errors, values without a fallback, and limits.
 * @throws CloudburstError `invalid_input` for an unknown channel, a template
 * of the wrong shape for the channel, or an invalid option.
 */
export function renderForChannel(
  channel: 'sms',
  template: TemplateInput,
  values: TemplateValues,
  options?: RenderOptions,
): SmsRendering;
export function renderForChannel(
  channel: 'x',
  template: TemplateInput,
  values: TemplateValues,
  options?: RenderOptions,
): XRendering;
export function renderForChannel(channel: 'messenger', template: TemplateInput, values: TemplateValues): MessengerRendering;
export function renderForChannel(channel: 'email', template: EmailTemplate, values: TemplateValues): EmailRendering;
export function renderForChannel(channel: 'push', template: PushTemplate, values: TemplateValues): PushRendering;
export function renderForChannel(
  channel: ChannelName,
  template: ChannelTemplate,
  values: TemplateValues,
  options?: RenderOptions,
): Rendering;
export function renderForChannel(
  channel: ChannelName,
  template: ChannelTemplate,
  values: TemplateValues,
  options: RenderOptions = {},
): Rendering {
  switch (channel) {
    case 'sms':
      return renderSms(toParsed('template', template), values, readWarnAboveParts(options));
    case 'x':
      return renderX(toParsed('template', template), values, readKind(options));
    case 'messenger':
      return renderMessenger(toParsed('template', template), values);
    case 'email': {
      const { subject, body } = toPair(template, 'subject', 'body');
      return renderEmail(subject, body, values);
    }
    case 'push': {
      const { title, body } = toPair(template, 'title', 'body');
      return renderPush(title, body, values);
    }
    default:
      throw invalidInput('channel', channel, `one of ${CHANNEL_NAMES.join(', ')}`);
  }
}

// ---- channels ----

function renderSms(parsed: ParsedTemplate, values: TemplateValues, warnAboveParts: number): SmsRendering {
  const text = renderTemplate(parsed, values);
  const measure = measureSms(text);
  const issues = checkTemplate(parsed, values, 'text');

  checkNotEmpty(issues, text, 'text', 'the SMS');
  if (measure.parts > SMS_MAX_PARTS) {
    // A part can end a unit short before an extension character or surrogate pair, so the excess is at least 1.
    const excess = Math.max(1, measure.units - SMS_MAX_PARTS * measure.perPart);
    issues.push({
      severity: 'error',
      code: 'too_many_parts',
      field: 'text',
      message:
        `the SMS takes ${measure.parts} parts, over the maximum of ${SMS_MAX_PARTS}. ` +
        `Remove at least ${countUnits(excess, measure.encoding)}.`,
    });
  } else if (measure.parts > warnAboveParts) {
    issues.push({
      severity: 'warning',
      code: 'many_parts',
      field: 'text',
      message:
        `the SMS takes ${measure.parts} parts of ${countUnits(measure.perPart, measure.encoding)}, more than ${warnAboveParts}, ` +
        'and Twilio bills each part as one message.',
    });
  }

  const ucs2Triggers =
    measure.encoding === 'UCS-2' ? findUcs2Triggers(parsed, values, new Set(measure.nonGsmCharacters)) : [];

  return {
    channel: 'sms',
    text,
    encoding: measure.encoding,
    units: measure.units,
    parts: measure.parts,
    perPart: measure.perPart,
    remainingInPart: measure.remainingInPart,
    maxParts: SMS_MAX_PARTS,
    warnAboveParts,
    ucs2Triggers,
    ...withOk(issues),
  };
}

function renderX(parsed: ParsedTemplate, values: TemplateValues, kind: 'post' | 'dm'): XRendering {
  const text = renderTemplate(parsed, values);
  const measure = measurePost(text);
  const limit = kind === 'post' ? measure.limit : X_DM_MAX_LENGTH;
  const remaining = limit - measure.weightedLength;
  const issues = checkTemplate(parsed, values, 'text');
  const label = kind === 'post' ? 'the post' : 'the direct message';

  checkNotEmpty(issues, text, 'text', label);
  if (remaining < 0) {
    issues.push(tooLong('text', `${label} has weighted length ${measure.weightedLength}`, -remaining, limit));
  }
  // measurePost is invalid for an empty or over-long post too, so only the remaining cause is reported here.
  if (kind === 'post' && text !== '' && remaining >= 0 && !measure.valid) {
    issues.push({
      severity: 'error',
      code: 'invalid_characters',
      field: 'text',
      message: 'the post contains a character X rejects (U+FFFE, U+FEFF or U+FFFF). Remove it.',
    });
  }

  return { channel: 'x', kind, text, weightedLength: measure.weightedLength, limit, remaining, ...withOk(issues) };
}

function renderMessenger(parsed: ParsedTemplate, values: TemplateValues): MessengerRendering {
  const text = renderTemplate(parsed, values);
  const remaining = MESSENGER_MAX_LENGTH - text.length;
  const issues = checkTemplate(parsed, values, 'text');

  checkNotEmpty(issues, text, 'text', 'the message');
  if (remaining < 0) {
    issues.push(tooLong('text', `the message has length ${text.length}`, -remaining, MESSENGER_MAX_LENGTH));
  }

  return {
    channel: 'messenger',
    text,
    length: text.length,
    limit: MESSENGER_MAX_LENGTH,
    remaining,
    ...withOk(issues),
  };
}

function renderEmail(subjectTemplate: ParsedTemplate, bodyTemplate: ParsedTemplate, values: TemplateValues): EmailRendering {
  const subject = renderTemplate(subjectTemplate, values)
    .replace(/\s*(?:\r\n|\r|\n)\s*/g, ' ')
    .trim();
  const subjectLength = countCodePoints(subject);
  const text = renderTemplate(bodyTemplate, values);
  const issues = [...checkTemplate(subjectTemplate, values, 'subject'), ...checkTemplate(bodyTemplate, values, 'body')];

  checkNotEmpty(issues, subject, 'subject', 'the subject');
  if (subjectLength > EMAIL_SUBJECT_RECOMMENDED_LENGTH) {
    issues.push({
      severity: 'warning',
      code: 'long_subject',
      field: 'subject',
      message:
        `the subject has ${subjectLength} characters, more than the ${EMAIL_SUBJECT_RECOMMENDED_LENGTH} ` +
        'that RFC 5322 recommends for a header line. Inbox lists often cut long subjects short.',
    });
  }
  checkNotEmpty(issues, text, 'body', 'the body');

  return {
    channel: 'email',
    subject,
    subjectLength,
    text,
    html: renderEmailHtml(bodyTemplate, values),
    ...withOk(issues),
  };
}

function renderPush(titleTemplate: ParsedTemplate, bodyTemplate: ParsedTemplate, values: TemplateValues): PushRendering {
  const title = renderTemplate(titleTemplate, values);
  const titleLength = countCodePoints(title);
  const body = renderTemplate(bodyTemplate, values);
  const bodyLength = countCodePoints(body);
  const issues = [...checkTemplate(titleTemplate, values, 'title'), ...checkTemplate(bodyTemplate, values, 'body')];

  if (titleLength > PUSH_TITLE_MAX_LENGTH) {
    const excess = titleLength - PUSH_TITLE_MAX_LENGTH;
    issues.push(tooLong('title', `the title has ${titleLength} characters`, excess, PUSH_TITLE_MAX_LENGTH));
  }
  checkNotEmpty(issues, body, 'body', 'the body');
  if (bodyLength > PUSH_BODY_MAX_LENGTH) {
    const excess = bodyLength - PUSH_BODY_MAX_LENGTH;
    issues.push(tooLong('body', `the body has ${bodyLength} characters`, excess, PUSH_BODY_MAX_LENGTH));
  }

  return { channel: 'push', title, titleLength, body, bodyLength, ...withOk(issues) };
}

// ---- issues ----

function checkTemplate(parsed: ParsedTemplate, values: TemplateValues, field: RenderedField): RenderingIssue[] {
  const issues: RenderingIssue[] = parsed.errors.map((error) => ({
    severity: 'error',
    code: 'invalid_template',
    field,
    message: `${field} template: ${error.message}`,
    templateError: error,
  }));

  for (const variable of findMissingValues(parsed, values)) {
    issues.push({
      severity: 'warning',
      code: 'missing_value',
      field,
      message:
        `{{${variable}}} in the ${field} has no value and no fallback, so it renders empty. ` +
        `Add a fallback such as {{${variable}|…}}.`,
      variable,
    });
  }
  return issues;
}

function checkNotEmpty(issues: RenderingIssue[], text: string, field: RenderedField, label: string): void {
  if (text.trim() !== '') return;
  issues.push({ severity: 'error', code: 'empty', field, message: `${label} is empty after rendering` });
}

function tooLong(field: RenderedField, measured: string, excess: number, limit: number): RenderingIssue {
  return {
    severity: 'error',
    code: 'too_long',
    field,
    message: `${measured}, ${excess} over the limit of ${limit}`,
  };
}

function withOk(issues: RenderingIssue[]): RenderingBase {
  return { issues, ok: issues.every((issue) => issue.severity !== 'error') };
}

// ---- input checks ----

function toParsed(field: string, template: unknown): ParsedTemplate {
  if (typeof template === 'string') return parseTemplate(template);
  if (isParsedTemplate(template)) return template;
  throw invalidInput(field, template, 'a template string or the result of parseTemplate');
}

function isParsedTemplate(value: unknown): value is ParsedTemplate {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<ParsedTemplate>;
  return typeof candidate.source === 'string' && Array.isArray(candidate.parts) && Array.isArray(candidate.errors);
}

function toPair<First extends string, Second extends string>(
  template: ChannelTemplate,
  first: First,
  second: Second,
): Record<First | Second, ParsedTemplate> {
  if (typeof template !== 'object' || template === null || isParsedTemplate(template)) {
    throw invalidInput('template', template, `an object with ${first} and ${second} templates`);
  }
  const pair = template as unknown as Record<string, unknown>;
  return {
    [first]: toParsed(`template.${first}`, pair[first]),
    [second]: toParsed(`template.${second}`, pair[second]),
  } as Record<First | Second, ParsedTemplate>;
}

function readWarnAboveParts(options: RenderOptions): number {
  const warnAboveParts = options.warnAboveParts ?? SMS_DEFAULT_WARN_ABOVE_PARTS;
  if (!Number.isInteger(warnAboveParts) || warnAboveParts < 1) {
    throw invalidInput('warnAboveParts', warnAboveParts, 'an integer of at least 1');
  }
  return warnAboveParts;
}

function readKind(options: RenderOptions): 'post' | 'dm' {
  const kind = options.kind ?? 'post';
  if (kind !== 'post' && kind !== 'dm') throw invalidInput('kind', kind, '"post" or "dm"');
  return kind;
}

function countUnits(units: number, encoding: SmsEncoding): string {
  const unit = encoding === 'GSM-7' ? 'septet' : 'UCS-2 unit';
  return `${units} ${unit}${units === 1 ? '' : 's'}`;
}

function countCodePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
