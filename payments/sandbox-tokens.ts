/**
 * The sandbox's tokenizer, the part a real provider runs in its own hosted card
 * fields. The card number exists only during `tokenize`. The vault keeps the brand,
 * last four digits, expiry and test outcome under a random token in memory, for a
 * limited time and up to a limited count.
 */
import { randomBytes } from 'node:crypto';
import { CloudburstError } from '../common/errors.js';
import { BoundedMap } from './bounded-map.js';
import { checkCard, normalizeCardNumber, type CardBrand, type CardInput, type CheckedCard } from './card.js';
import { sandboxOutcomeFor, type SandboxOutcome } from './sandbox-cards.js';

export const SANDBOX_TOKEN_PREFIX = 'pm_sandbox_';

export interface SandboxCardToken {
  token: string;
  brand: CardBrand;
  last4: string;
  expMonth: number;
  expYear: number;
}

export interface StoredSandboxCard extends CheckedCard {
  outcome: SandboxOutcome;
}

export interface SandboxTokenVaultOptions {
  /** How long a token can be charged after tokenizing. */
  ttlMs: number;
  /** Tokens beyond this count push out the oldest, so a flood of tokenize calls cannot exhaust memory. */
  maxTokens: number;
  now: () => number;
}

export class SandboxTokenVault {
  readonly #tokens: BoundedMap<string, StoredSandboxCard>;
  readonly #now: () => number;

  constructor(options: SandboxTokenVaultOptions) {
    this.#tokens = new BoundedMap({ maxEntries: options.maxTokens, ttlMs: options.ttlMs, now: options.now });
    this.#now = options.now;
  }

  /**
   * Checks the card and returns a token for it.
   *
   * @throws CloudburstError `invalid_input` naming `card.number`, `card.expMonth`, `card.expYear` or `card.cvc`
   */
  tokenize(card: CardInput): SandboxCardToken {
    const checked = checkCard(card, this.#now());
    const outcome = sandboxOutcomeFor(normalizeCardNumber(card.number));

    // NOTE: JavaScript cannot wipe a string, so the number stays in the heap until the
    // garbage collector reclaims it. Nothing here keeps a reference to it.
    const token = `${SANDBOX_TOKEN_PREFIX}${randomBytes(12).toString('hex')}`;
    this.#tokens.set(token, { ...checked, outcome });
    return { token, ...checked };
  }

  /**
   * Returns the card stored under a token.
   *
   * @throws CloudburstError `invalid_input` on `paymentMethod` for an unknown or expired token
   */
  lookup(token: string): StoredSandboxCard {
    const card = this.#tokens.get(token);
    if (card === undefined) {
      throw new CloudburstError(
        'invalid_input',
        'invalid paymentMethod: unknown or expired sandbox token; have the customer enter the card again to get a new token',
        { field: 'paymentMethod' },
      );
    }
    return card;
  }
}
