import { createHash } from 'node:crypto';

import { assertCampaignId, assertId } from './validate.js';

/**
 * Derives the offer id of a (campaign, device) pair: the first 16 bytes of
 * sha256(campaignId + '\n' + deviceId), with the version nibble set to 5 and the
 * RFC 4122 variant bits, printed as a UUID. It is a UUID in shape only (name-based
 * v5 uses SHA-1 and a namespace). The same pair always gets the same id, so a
 * replayed ping stream reissues no new offer id.
 */
export function offerIdFor(campaignId: string, deviceId: string): string {
  assertCampaignId('campaignId', campaignId);
  assertId('deviceId', deviceId);

  const digest = createHash('sha256').update(`${campaignId}\n${deviceId}`, 'utf8').digest();
  digest[6] = ((digest[6] as number) & 0x0f) | 0x50;
  digest[8] = ((digest[8] as number) & 0x3f) | 0x80;

  const hex = digest.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
