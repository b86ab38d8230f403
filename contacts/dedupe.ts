import { normalizeEmail } from './email.js';

/** Deduplication keys of one contact: its normalized email address and its E.164 phone number. */
export interface ContactKeys {
  email?: string;
  phone?: string;
}

const E164 = /^\+[1-9]\d{1,14}$/;

/**
 * Builds the deduplication keys of a contact from values that have already been
 * through normalizeEmail and normalizePhone. A missing or empty value gives no key.
 *
 * @throws RangeError when a value is not in normalized form, because raw values
 * would make the same person look like two contacts
 *
 * @example
 * contactKey({ email: 'ann@example.com', phone: '+14155552671' })
 */
export function contactKey(contact: { email?: string; phone?: string }): ContactKeys {
  const keys: ContactKeys = {};

  if (contact.email !== undefined && contact.email !== '') {
    const normalized = normalizeEmail(contact.email);
    if (!normalized.ok || normalized.email !== contact.email) {
      throw new RangeError(
        `email ${JSON.stringify(contact.email)} is not normalized. Pass the email that normalizeEmail returns`,
      );
    }
    keys.email = contact.email;
  }

  if (contact.phone !== undefined && contact.phone !== '') {
    if (!E164.test(contact.phone)) {
      throw new RangeError(
        `phone ${JSON.stringify(contact.phone)} is not in E.164 form. Pass the e164 value that normalizePhone returns`,
      );
    }
    keys.phone = contact.phone;
  }

  return keys;
}

/**
 * Tells whether a contact of a streamed import was seen before by its email
 * address or by its phone number.
 *
 * It stores only the keys in one Set. Keys from contactKey cannot collide,
 * because an email key always contains @ and a phone key never does. Each key
 * costs one string and one Set entry.
 */
export class Deduplicator {
  readonly #seen = new Set<string>();

  /** Number of distinct keys stored. */
  get size(): number {
    return this.#seen.size;
  }

  /** Returns whether any key of the contact was added before, without adding it. */
  has(keys: ContactKeys): boolean {
    return (
      (keys.email !== undefined && this.#seen.has(keys.email)) ||
      (keys.phone !== undefined && this.#seen.has(keys.phone))
    );
  }

  /**
   * Adds the keys of a contact and returns true when none of them was seen
   * before, and false when the contact is a duplicate.
   *
   * The keys of a duplicate are added too. A row that shares a phone number
   * with an earlier row but has a new email address is then recognized by
   * that email address later, so rows linked through any chain of shared keys
   * count as one contact. A contact without keys is always new.
   */
  add(keys: ContactKeys): boolean {
    const isNew = !this.has(keys);

    if (keys.email !== undefined) {
      this.#seen.add(keys.email);
    }
    if (keys.phone !== undefined) {
      this.#seen.add(keys.phone);
    }

    return isNew;
  }
}
