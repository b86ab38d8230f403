/**
 * The sandbox's test cards. Each number decides the payment's outcome, so a
 * tester can walk every branch of the order flow from the customer's page.
 * Any other number that passes the card checks succeeds.
 */

/** Outcome of a sandbox payment made with the card. */
export type SandboxOutcome =
  | { kind: 'succeed' }
  | { kind: 'decline'; declineCode: string }
  | { kind: 'authenticate' }
  | { kind: 'fail'; reason: string };

export interface SandboxTestCard {
  number: string;
  description: string;
  outcome: SandboxOutcome;
}

export const SANDBOX_TEST_CARDS: readonly SandboxTestCard[] = [
  { number: '4242424242424242', description: 'Visa, succeeds', outcome: { kind: 'succeed' } },
  { number: '5555555555554444', description: 'Mastercard, succeeds', outcome: { kind: 'succeed' } },
  { number: '378282246310005', description: 'American Express, succeeds', outcome: { kind: 'succeed' } },
  { number: '4000000000000002', description: 'Visa, declined (generic_decline)', outcome: { kind: 'decline', declineCode: 'generic_decline' } },
  {
    number: '4000000000009995',
    description: 'Visa, declined (insufficient_funds)',
    outcome: { kind: 'decline', declineCode: 'insufficient_funds' },
  },
  {
    number: '4000002500003155',
    description: 'Visa, requires authentication; confirmPayment with authenticated true succeeds, false fails',
    outcome: { kind: 'authenticate' },
  },
  {
    number: '4000000000000119',
    description: 'Visa, fails with a retriable processing error',
    outcome: { kind: 'fail', reason: 'processing_error' },
  },
];

const OUTCOME_BY_NUMBER: ReadonlyMap<string, SandboxOutcome> = new Map(SANDBOX_TEST_CARDS.map((card) => [card.number, card.outcome]));

/** Returns the outcome for a checked card number (digits only). */
export function sandboxOutcomeFor(digits: string): SandboxOutcome {
  return OUTCOME_BY_NUMBER.get(digits) ?? { kind: 'succeed' };
}
