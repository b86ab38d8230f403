import type { MessageKey } from '../messages/index.js';
import type { SegmentSource } from './types.js';

/**
 * Returns the name the console shows for a segment. The nearby segment gets the label of
 * the console's language, because the server names it in English ("Nearby phones") and
 * the marketer cannot rename it. A segment not named yet gets the "unnamed" label.
 */
export function segmentLabel(segment: { source: SegmentSource; name: string }, translate: (key: MessageKey) => string): string {
  if (segment.source === 'nearby') return translate('campaigns.segments.nearbyName');
  const name = segment.name.trim();
  return name === '' ? translate('campaigns.segments.unnamed') : name;
}
