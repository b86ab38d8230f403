import { contactKey } from '../dedupe.js';
import type { ImportedContact } from './types.js';

/** The key of an earlier contact that a new contact shares. */
export interface DuplicateMatch {
  field: 'email' | 'phone' | 'xUserId' | 'messengerPsid';
  /** The normalized value of the shared key. */
  value: string;
  /** Line of the contact that was kept. */
  line: number;
  /** For a JSON file: the array element of the contact that was kept. */
  element?: number;
}

/** The line and element of a kept contact of a JSON file. A CSV row stores only its line, which costs no allocation. */
interface KeptElement {
  line: number;
  element: number;
}

/**
 * Finds contacts of one import that share a normalized email, E.164 phone,
 * X user id or Messenger PSID with an earlier contact, and returns the line
 * of that earlier contact.
 *
 * Deduplicator from contacts/dedupe.ts follows the same rules for email and
 * phone but stores no line, so this index maps each key to the line of the
 * contact that was kept. Each key costs one string and one Map entry, and
 * each contact of a JSON file one more small object for its element.
 * Prefixed X and PSID keys cannot collide with the keys of contactKey: an
 * email key contains `@` and a phone key starts with `+`.
 */
export class SeenKeys {
  readonly #keptByKey = new Map<string, number | KeptElement>();

  /** Number of distinct keys stored. */
  get size(): number {
    return this.#keptByKey.size;
  }

  /** Drops every key. */
  clear(): void {
    this.#keptByKey.clear();
  }

  /**
   * Returns the first key that an earlier contact shares, or undefined for a
   * new contact. Either way the keys of the contact are stored. The keys of
   * a duplicate point to the contact that was kept, so rows linked through
   * any chain of shared keys count as that one contact.
   *
   * @param element - the contact's array element, for a JSON file
   * @throws RangeError when the email or phone is not in normalized form, as contactKey does
   */
  add(contact: ImportedContact, element?: number): DuplicateMatch | undefined {
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
    let keptAt: number | KeptElement | undefined;
    for (const [field, value, key] of keys) {
      keptAt = this.#keptByKey.get(key);
      if (keptAt !== undefined) {
        match = typeof keptAt === 'number' ? { field, value, line: keptAt } : { field, value, ...keptAt };
        break;
      }
    }

    keptAt ??= element === undefined ? contact.line : { line: contact.line, element };
    for (const [, , key] of keys) {
      if (!this.#keptByKey.has(key)) {
        this.#keptByKey.set(key, keptAt);
      }
    }
    return match;
  }
}
