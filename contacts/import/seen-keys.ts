import { contactKey } from '../dedupe.js';
import type { ImportedContact } from './types.js';

/** The key of an earlier contact that a new contact shares. */
export interface DuplicateMatch {
  field: 'email' | 'phone' | 'xUserId' | 'messengerPsid';
  /** The normalized value of the shared key. */
  value: string;
  /** Line of the contact that was kept. */
  line: number;
}

/**
 * Finds contacts of one import that share a normalized email, E.164 phone,
 * X user id or Messenger PSID with an earlier contact, and returns the line
 * of that earlier contact.
 *
 * Deduplicator from contacts/dedupe.ts follows the same rules for email and
 * phone but stores no line, so this index maps each key to the line of the
 * contact that was kept. Each key costs one string and one Map entry.
 * Prefixed X and PSID keys cannot collide with the keys of contactKey: an
 * email key contains `@` and a phone key starts with `+`.
 */
export class SeenKeys {
  readonly #lineByKey = new Map<string, number>();

  /** Number of distinct keys stored. */
  get size(): number {
    return this.#lineByKey.size;
  }

  /** Drops every key. */
  clear(): void {
    this.#lineByKey.clear();
  }

  /**
   * Returns the first key that an earlier contact shares, or undefined for a
   * new contact. Either way the keys of the contact are stored. The keys of
   * a duplicate point to the contact that was kept, so rows linked through
   * any chain of shared keys count as that one contact.
   *
   * @throws RangeError when the email or phone is not in normalized form, as contactKey does
   */
  add(contact: ImportedContact): DuplicateMatch | undefined {
    const { email, phone } = contactKey(contact);
    const keys: Array<[DuplicateMatch['field'], string, string]> = [];
    if (email !== undefined) {
      keys.push(['email', email, email]);
    }
    if (phone !== undefined) {
      keys.push(['phone', phone, phone]);
    }
    if (contact.xUserId !== undefined) {
      keys.push(['xUserId', contact.xUserId, `x:${contact.xUserId}`]);
    }
    if (contact.messengerPsid !== undefined) {
      keys.push(['messengerPsid', contact.messengerPsid, `psid:${contact.messengerPsid}`]);
    }

    let match: DuplicateMatch | undefined;
    for (const [field, value, key] of keys) {
      const line = this.#lineByKey.get(key);
      if (line !== undefined) {
        match = { field, value, line };
        break;
      }
    }

    const keptLine = match?.line ?? contact.line;
    for (const [, , key] of keys) {
      if (!this.#lineByKey.has(key)) {
        this.#lineByKey.set(key, keptLine);
      }
    }
    return match;
  }
}
