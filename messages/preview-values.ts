/**
 * Values the editor renders a template with before any recipient is known.
 * `SAMPLE_VALUES` shows how a typical message reads. `worstCaseValues` shows
 * whether a long or non-Latin value can push a channel over its limit, which
 * the server would then report as a permanent error for that recipient.
 */
import { invalidInput } from '../common/errors.js';
import { isEmptyValue, TEMPLATE_VARIABLES, type TemplateValues, type VariableName } from './template.js';

/** A typical value for each variable, as listed in `TEMPLATE_VARIABLES`. */
export const SAMPLE_VALUES: Readonly<Record<VariableName, string>> = Object.freeze(
  Object.fromEntries(TEMPLATE_VARIABLES.map((variable) => [variable.name, variable.sample])) as Record<
    VariableName,
    string
  >,
);

/**
 * Assumed maximum length of each value, in code points, for values the editor
 * does not know. `code` is the length the server issues.
 * NOTE: the other lengths are estimates, because contact import and campaign
 * forms do not cap them this low. Pass the real value through `known` where
 * the editor has it (truck, benefit, validUntil) for an exact check.
 */
export const WORST_CASE_LENGTHS: Readonly<Record<VariableName, number>> = Object.freeze({
  firstName: 20,
  code: 8,
  truck: 40,
  validUntil: 32,
  orderLink: 60,
  benefit: 40,
});

// U+20BB7, a CJK ideograph outside the Basic Multilingual Plane. It costs the
// most on every channel at once: it is not GSM-7, so the SMS becomes UCS-2,
// where it takes 2 units, and it weighs 2 on X and is 2 UTF-16 code units.
const COSTLIEST_CHARACTER = '\u{20BB7}';
// Offer codes use capital letters and digits, each 1 unit on every channel.
const CODE_CHARACTER = 'W';
const LINK_PREFIX = 'https://example.com/';

/**
 * Builds the longest, costliest values a recipient could have: each value in
 * `known` that is not empty, and for every other variable a value of its
 * length in `lengths` (default `WORST_CASE_LENGTHS`).
 * @throws CloudburstError `invalid_input` when a length is not a non-negative integer.
 */
export function worstCaseValues(
  known: TemplateValues = {},
  lengths: Partial<Record<VariableName, number>> = {},
): Record<VariableName, string> {
  const values = {} as Record<VariableName, string>;

  for (const { name } of TEMPLATE_VARIABLES) {
    const knownValue = known[name];
    if (!isEmptyValue(knownValue)) {
      values[name] = knownValue!.trim();
      continue;
    }

    const length = lengths[name] ?? WORST_CASE_LENGTHS[name];
    if (!Number.isInteger(length) || length < 0) {
      throw invalidInput(`lengths.${name}`, length, 'a non-negative integer number of characters');
    }
    values[name] = worstCaseValue(name, length);
  }
  return values;
}

function worstCaseValue(name: VariableName, length: number): string {
  if (name === 'code') return CODE_CHARACTER.repeat(length);
  // A link stays a link, so X still counts it as 23 whatever its length.
  if (name === 'orderLink') return LINK_PREFIX + 'x'.repeat(Math.max(0, length - LINK_PREFIX.length));
  return COSTLIEST_CHARACTER.repeat(length);
}
