import { messengerSendPlan } from '../../channels/messenger-window.js';
import type { OutgoingMessage } from '../../channels/types.js';
import { renderKind } from '../../messages/render-kind.js';
import type { Rendering } from '../../messages/render.js';
import type { TemplateValues } from '../../messages/template.js';
import { formatValidUntil } from '../../messages/valid-until.js';
import type { Contact } from '../repos/contacts.js';
import { channelOfKind, type SendJob } from '../repos/send-jobs.js';
import type { Template } from '../repos/templates.js';
import type { CampaignContext } from './job-context.js';
import { capReached, QUIET_HOURS_HOLD, quietUntil, type MessagingRules } from './policy.js';

/** What to do with a claimed job before any provider is called. */
export type Decision =
  | { action: 'send'; message: OutgoingMessage; recipient: string }
  | { action: 'skip'; reason: string; recipient?: string }
  | { action: 'park'; reason: string; recipient?: string }
  | { action: 'later'; at: number; reason: string };

export interface ComposeInput {
  job: SendJob;
  campaign: CampaignContext;
  template: Template;
  /** Null for an X post. */
  contact: Contact | null;
  code: string | null;
  /** Messages sent to the contact within the frequency cap's window. */
  sentInCapWindow: number;
  rules: MessagingRules;
  publicUrl: string;
  /** The sender the lane sends as. */
  sender: string;
  /** Email only: the contact's signed unsubscribe link, added to the footer and the headers. */
  unsubscribeUrl?: string;
  now: number;
}

/**
 * The rules a message must pass before it is written, in order: consent on its
 * channel, the frequency cap, the quiet hours, the offer still running, and
 * Messenger's messaging window. Returns why not, or undefined when it may go.
 */
export function checkSendRules(input: Omit<ComposeInput, 'code'>): Exclude<Decision, { action: 'send' }> | undefined {
  const { job, campaign, contact, rules, now } = input;
  const channel = channelOfKind(job.kind);
  const recipient = contact ? recipientOf(job, contact) : '';

  if (contact) {
    if (!recipient) return { action: 'skip', reason: `the contact has no ${channel} address any more` };
    const consent = contact.consents[channel];
    // Registering the SDK is the device's opt-in to pushes; any other channel needs a recorded yes.
    if (consent?.granted === false) {
      return { action: 'skip', recipient, reason: `opted out of ${channel} on ${consent.at} (${consent.source})` };
    }
    if (!consent && channel !== 'push') return { action: 'skip', recipient, reason: `no consent on record for ${channel}` };
    if (capReached(rules, input.sentInCapWindow)) {
      const cap = rules.frequencyCap!;
      return { action: 'skip', recipient, reason: `frequency cap: ${input.sentInCapWindow} ${input.sentInCapWindow === 1 ? 'message' : 'messages'} in the last ${cap.perHours} h (at most ${cap.max})` };
    }
    const quietEnd = quietUntil(rules, now, contact.timeZone ?? campaign.timeZone);
    if (quietEnd !== null) {
      if (quietEnd >= campaign.validUntil) {
        return { action: 'skip', recipient, reason: `quiet hours until ${new Date(quietEnd).toISOString()}, after the offer ends` };
      }
      return { action: 'later', at: quietEnd, reason: `${QUIET_HOURS_HOLD} ${new Date(quietEnd).toISOString()}` };
    }
  }
  if (campaign.validUntil <= now) return { action: 'skip', recipient, reason: 'the offer ended before the message could go out' };
  if (job.kind === 'messenger' && contact) {
    const plan = messengerPlan(contact, now);
    if (!plan.ok) return { action: 'park', recipient, reason: plan.reason };
  }
  return undefined;
}

function messengerPlan(contact: Contact, now: number) {
  return messengerSendPlan({
    lastUserMessageAt: contact.messengerLastMessageAt,
    notificationToken: contact.messengerToken,
    tokenExpiresAt: contact.messengerTokenExpiresAt,
    now,
  });
}

/** Checks the rules (see checkSendRules), then renders the message for its channel and checks the channel's limits. */
export function composeMessage(input: ComposeInput): Decision {
  const refused = checkSendRules(input);
  if (refused) return refused;
  const { job, campaign, template, contact, code, now } = input;
  const channel = channelOfKind(job.kind);
  const recipient = contact ? recipientOf(job, contact) : '';

  let messengerRecipient: OutgoingMessage['messengerRecipient'];
  let to = recipient;
  if (job.kind === 'messenger' && contact) {
    const plan = messengerPlan(contact, now);
    if (plan.ok) {
      messengerRecipient = plan.recipient;
      if (plan.recipient === 'notification_token') to = contact.messengerToken!;
    }
  }

  const values: TemplateValues = {
    firstName: contact?.firstName ?? null,
    code,
    truck: campaign.truckName,
    validUntil: formatValidUntil(campaign.validUntil, campaign.timeZone, contact?.locale ?? 'en-US'),
    orderLink: code ? `${input.publicUrl}/order?code=${encodeURIComponent(code)}` : `${input.publicUrl}/order`,
    benefit: campaign.benefit.description,
  };
  const rendering = render(job, template, values);
  if (!rendering.ok) {
    const errors = rendering.issues.filter((issue) => issue.severity === 'error').map((issue) => issue.message);
    return { action: 'park', recipient, reason: `the message cannot be sent as written: ${errors.join('; ')}` };
  }

  const message: OutgoingMessage = { jobId: job.id, campaignId: campaign.id, channel, sender: input.sender, to, text: '' };
  switch (rendering.channel) {
    case 'email': {
      const link = input.unsubscribeUrl;
      Object.assign(message, {
        subject: rendering.subject,
        text: link ? `${rendering.text}\n\n--\nUnsubscribe: ${link}` : rendering.text,
        html: link ? `${rendering.html}<hr><p><a href="${escapeAttribute(link)}">Unsubscribe</a></p>` : rendering.html,
        ...(link ? { unsubscribeUrl: link } : {}),
      });
      break;
    }
    case 'push':
      Object.assign(message, { subject: rendering.title || undefined, text: rendering.body, ...(code ? { code } : {}) });
      break;
    case 'x':
      Object.assign(message, { kind: rendering.kind, text: rendering.text });
      break;
    default:
      message.text = rendering.text;
  }
  if (messengerRecipient) message.messengerRecipient = messengerRecipient;
  return { action: 'send', message, recipient };
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

function recipientOf(job: SendJob, contact: Contact): string {
  switch (job.kind) {
    case 'push':
      return contact.deviceId ?? '';
    case 'sms':
      return contact.phone ?? '';
    case 'email':
      return contact.email ?? '';
    case 'messenger':
      return contact.messengerPsid ?? '';
    case 'x_dm':
      return contact.xUserId ?? '';
    case 'x_post':
      return '';
  }
}

function render(job: SendJob, template: Template, values: TemplateValues): Rendering {
  return renderKind(job.kind, template, values);
}
