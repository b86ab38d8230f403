import { CHANNEL_NAMES } from '../../../../channels/types.js';
import type { ChannelName, SegmentSource, TemplateKind } from './types.js';

/** The message kinds each channel sends, in the order the editor lists them. */
const KINDS_OF_CHANNEL: Record<ChannelName, readonly TemplateKind[]> = {
  push: ['push'],
  sms: ['sms'],
  x: ['x_post', 'x_dm'],
  messenger: ['messenger'],
  email: ['email'],
};

/** Returns the channel a message kind goes out on. */
export function channelOfKind(kind: TemplateKind): ChannelName {
  return kind === 'x_post' || kind === 'x_dm' ? 'x' : kind;
}

/**
 * Lists the kinds a segment gets a template for. The nearby segment only has the push
 * that carries its offer, whatever the campaign's channels. Other segments get every
 * kind of the chosen channels, in the channel order of CHANNEL_NAMES.
 */
export function kindsForSegment(source: SegmentSource, channels: readonly ChannelName[]): TemplateKind[] {
  if (source === 'nearby') return ['push'];
  return CHANNEL_NAMES.filter((channel) => channels.includes(channel)).flatMap((channel) => KINDS_OF_CHANNEL[channel]);
}

/** Returns true for the kinds whose template has a subject (email) or title (push) besides the body. */
export function hasSubject(kind: TemplateKind): boolean {
  return kind === 'email' || kind === 'push';
}
