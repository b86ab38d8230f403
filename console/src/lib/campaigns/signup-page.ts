import type { CampaignStatus } from './types.js';

/** Whether the public sign-up page of a point-of-sale segment takes sign-ups. */
export type SignupPageState = 'not_yet_open' | 'open' | 'closed';

/**
 * Returns the state of a point-of-sale segment's sign-up page for its campaign's status, as
 * the server decides it. A draft has no codes yet, so its page returns 410 Gone until the
 * campaign is scheduled, and an ended campaign's page returns 410 for good.
 */
export function signupPageState(status: CampaignStatus): SignupPageState {
  switch (status) {
    case 'draft':
      return 'not_yet_open';
    case 'scheduled':
    case 'active':
      return 'open';
    case 'ended':
      return 'closed';
  }
}
