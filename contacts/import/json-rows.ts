import { applyRule, genericRule, type ColumnRule } from './columns.js';
import type { JsonElement } from './json-elements.js';
import { escapeControls } from './quote.js';
import { emptyRowInput, type ContactField, type RowInput, type SourceRow } from './row.js';

// Fields that contain ids, which a JSON number above 2^53 cannot represent exactly.
const ID_FIELDS: ReadonlySet<ContactField> = new Set(['phone', 'xUserId', 'messengerPsid', 'externalId']);

// Elements are objects whose keys the caller chooses, so the cache is bounded.
const MAX_CACHED_KEYS = 1000;

/**
 * Maps the elements of a generic JSON contact list to rows, with the same
 * keys as the generic CSV columns in any case, such as `email`, `firstName`,
 * `first_name` or `smsConsent`.
 */
export class JsonContactMapper {
  readonly #rules = new Map<string, ColumnRule | null>();
  readonly #onIgnoredKey: (key: string) => void;

  constructor(onIgnoredKey: (key: string) => void) {
    this.#onIgnoredKey = onIgnoredKey;
  }

  map({ line, element, value }: JsonElement): SourceRow {
    if (!isObject(value)) {
      return { line, element, rejected: `expected each element of the array to be an object of contact fields, found ${describeJson(value)}` };
    }

    const input = emptyRowInput();
    for (const [key, item] of Object.entries(value)) {
      const rule = this.#ruleOf(key);
      if (rule === null) {
        this.#onIgnoredKey(key);
        continue;
      }
      putJsonValue(input, rule, key, item);
    }
    return { line, element, input };
  }

  #ruleOf(key: string): ColumnRule | null {
    let rule = this.#rules.get(key);
    if (rule === undefined) {
      rule = genericRule(key) ?? null;
      if (this.#rules.size < MAX_CACHED_KEYS) {
        this.#rules.set(key, rule);
      }
    }
    return rule;
  }
}

/**
 * Maps one element of an X archive `data/follower.js`, which has the shape
 * `{ "follower": { "accountId": "<digits>", "userLink": "<url>" } }`. The
 * account id becomes both the X user id and the external id.
 */
export function mapXFollower({ line, element, value }: JsonElement): SourceRow {
  const follower = isObject(value) ? value.follower : undefined;
  if (!isObject(follower)) {
    return { line, element, rejected: `expected an element of the form {"follower": {"accountId": "..."}}, found ${describeJson(value)}` };
  }
  const accountId = follower.accountId;
  if (accountId === undefined || accountId === null || accountId === '') {
    return { line, element, rejected: 'follower.accountId is missing, so the follower cannot be reached' };
  }

  const input = emptyRowInput();
  putJsonValue(input, { kind: 'field', field: 'xUserId' }, 'follower.accountId', accountId);
  if (input.fields.xUserId !== undefined) {
    input.fields.externalId = input.fields.xUserId;
  }
  return { line, element, input };
}

function putJsonValue(input: RowInput, rule: ColumnRule, key: string, item: unknown): void {
  if (item === null) {
    return;
  }
  if (typeof item === 'string') {
    applyRule(input, rule, key, item);
    return;
  }
  if (typeof item === 'boolean' && rule.kind === 'consent') {
    applyRule(input, rule, key, String(item));
    return;
  }
  if (typeof item === 'number' && rule.kind === 'field' && ID_FIELDS.has(rule.field) && !Number.isSafeInteger(item)) {
    input.problems.push({
      column: key,
      value: String(item),
      reason:
        `${key} ${String(item)} is a JSON number that cannot hold every digit of an id, because it is not an integer below 2^53. ` +
        'Write the id as a JSON string',
      rejectsRow: false,
    });
    return;
  }
  if (typeof item === 'number') {
    applyRule(input, rule, key, String(item));
    return;
  }

  input.problems.push({
    column: key,
    value: describeJson(item),
    reason: `${key} is ${describeJson(item)}, expected a string`,
    rejectsRow: rule.kind === 'consent',
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Long values are cut, so an element that is a whole nested list does not fill the issue.
const MAX_DESCRIBED_CHARS = 60;

function describeJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return escapeControls(text.length > MAX_DESCRIBED_CHARS ? `${text.slice(0, MAX_DESCRIBED_CHARS)}…` : text);
}
