import { ImportFileError } from './errors.js';
import type { ContactField, RowInput } from './row.js';
import type { ConsentChannel, DetectedFormat } from './types.js';
import { quote } from './quote.js';
import { CONSENT_VALUES, parseYesNo, unwrapSpreadsheetText } from './values.js';

/** The contact field or consent that a column, or a JSON key, fills. */
export type ColumnRule =
  | { kind: 'field'; field: ContactField; prefix?: string }
  | { kind: 'consent'; channel: ConsentChannel }
  | { kind: 'email-subscription' };

/** A recognised column of a CSV header. */
export interface PlannedColumn {
  index: number;
  name: string;
  rule: ColumnRule;
}

export interface ColumnPlan {
  columns: PlannedColumn[];
  /** Header names that the format does not read. */
  ignored: string[];
  /** Cells per row, which is the number of header cells. */
  width: number;
}

const field = (name: ContactField, prefix?: string): ColumnRule => ({ kind: 'field', field: name, prefix });
const consent = (channel: ConsentChannel): ColumnRule => ({ kind: 'consent', channel });

// Keys are column names after normalizeColumnName.
const GENERIC_RULES: ReadonlyMap<string, ColumnRule> = new Map([
  ['firstname', field('firstName')],
  ['lastname', field('lastName')],
  ['name', field('fullName')],
  ['fullname', field('fullName')],
  ['email', field('email')],
  ['emailaddress', field('email')],
  ['phone', field('phone')],
  ['phonenumber', field('phone')],
  ['locale', field('locale')],
  ['xuserid', field('xUserId')],
  ['twitterid', field('xUserId')],
  ['messengerpsid', field('messengerPsid')],
  ['psid', field('messengerPsid')],
  ['externalid', field('externalId')],
  ['smsconsent', consent('sms')],
  ['emailconsent', consent('email')],
  ['messengerconsent', consent('messenger')],
  ['xconsent', consent('x')],
]);

// A Meta Lead Ads export writes phone numbers as `p:+15555550101` and lead ids
// as `l:1111111111111111`. Forms that ask for first and last name separately
// have first_name and last_name columns in place of full_name.
const META_LEADS_RULES: ReadonlyMap<string, ColumnRule> = new Map([
  ['id', field('externalId')],
  ['fullname', field('fullName')],
  ['firstname', field('firstName')],
  ['lastname', field('lastName')],
  ['phonenumber', field('phone', 'p:')],
  ['email', field('email')],
]);

const SQUARE_RULES: ReadonlyMap<string, ColumnRule> = new Map([
  ['squarecustomerid', field('externalId')],
  ['firstname', field('firstName')],
  ['lastname', field('lastName')],
  ['emailaddress', field('email')],
  ['phonenumber', field('phone')],
  ['emailsubscriptionstatus', { kind: 'email-subscription' }],
]);

const RULES_BY_FORMAT: Readonly<Record<'meta-leads' | 'square' | 'csv', ReadonlyMap<string, ColumnRule>>> = {
  'meta-leads': META_LEADS_RULES,
  square: SQUARE_RULES,
  csv: GENERIC_RULES,
};

const REACH_FIELDS: ReadonlySet<ContactField> = new Set(['email', 'phone', 'xUserId', 'messengerPsid']);

const REACH_COLUMNS_BY_FORMAT: Readonly<Record<'meta-leads' | 'square' | 'csv', string>> = {
  'meta-leads': 'email, phone_number',
  square: 'Email Address, Phone Number',
  csv: 'email, phone, x_user_id, twitter_id, messenger_psid, psid',
};

// A header of hundreds of columns would make the error unreadable.
const MAX_COLUMNS_IN_MESSAGE = 20;

/** Lowercases a column name and removes spaces, underscores and hyphens, so `First Name`, `first_name` and `firstName` match. */
export function normalizeColumnName(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

/** Returns the rule of a generic CSV column or JSON key, or undefined when the name is not recognised. */
export function genericRule(name: string): ColumnRule | undefined {
  return GENERIC_RULES.get(normalizeColumnName(name));
}

/**
 * Maps the header of a CSV format to contact fields.
 *
 * @throws ImportFileError when two columns fill the same field, or when no
 * column gives an email, phone, X user id or Messenger PSID
 */
export function planColumns(format: 'meta-leads' | 'square' | 'csv', header: string[], headerLine: number): ColumnPlan {
  const rules = RULES_BY_FORMAT[format];
  const columns: PlannedColumn[] = [];
  const ignored: string[] = [];
  const columnByTarget = new Map<string, string>();

  header.forEach((cell, index) => {
    const name = cell.trim();
    if (name === '') {
      return;
    }
    const rule = rules.get(normalizeColumnName(name));
    if (rule === undefined) {
      ignored.push(name);
      return;
    }

    const target = targetOf(rule);
    const earlier = columnByTarget.get(target);
    if (earlier !== undefined) {
      throw new ImportFileError(
        'duplicate_column',
        headerLine,
        `columns ${quote(earlier)} and ${quote(name)} both give the ${target}. Remove one of them`,
      );
    }
    columnByTarget.set(target, name);
    columns.push({ index, name, rule });
  });

  const usable = columns.some(({ rule }) => rule.kind === 'field' && REACH_FIELDS.has(rule.field));
  if (!usable) {
    const found = header.slice(0, MAX_COLUMNS_IN_MESSAGE).map(quote);
    const more = header.length > MAX_COLUMNS_IN_MESSAGE ? ` and ${header.length - MAX_COLUMNS_IN_MESSAGE} more` : '';
    throw new ImportFileError(
      'no_usable_column',
      headerLine,
      `the ${format} header has no column for an email, phone, X user id or Messenger PSID, so no row could reach a contact. ` +
        `Expected one of ${REACH_COLUMNS_BY_FORMAT[format]}, found ${found.join(', ')}${more}`,
    );
  }

  return { columns, ignored, width: header.length };
}

/**
 * Puts one cell into a row according to its rule. An empty cell is skipped.
 * A cell written as Excel's text formula ="..." gives the text inside.
 * A consent value that is not one of CONSENT_VALUES rejects the row, because
 * the row states a choice that cannot be read.
 */
export function applyRule(row: RowInput, rule: ColumnRule, column: string, cell: string): void {
  const written = cell.trim();
  const text = unwrapSpreadsheetText(written) ?? written;
  if (text === '') {
    return;
  }

  switch (rule.kind) {
    case 'field': {
      const earlier = row.fields[rule.field];
      if (earlier !== undefined) {
        row.problems.push({
          column,
          value: written,
          reason: `${quote(earlier.column)} and ${quote(column)} both give the ${rule.field}. Keep one of them`,
          rejectsRow: true,
        });
        return;
      }
      const prefix = rule.prefix;
      const value = prefix !== undefined && text.startsWith(prefix) ? text.slice(prefix.length).trim() : text;
      if (value !== '') {
        row.fields[rule.field] = value === written ? { column, value } : { column, value, cell: written };
      }
      return;
    }

    case 'consent': {
      const granted = parseYesNo(text);
      if (granted === undefined) {
        row.problems.push({
          column,
          value: written,
          reason: `${column} value ${quote(text)} is invalid: expected ${CONSENT_VALUES}`,
          rejectsRow: true,
        });
        return;
      }
      row.consent[rule.channel] = granted;
      return;
    }

    case 'email-subscription': {
      const status = text.toLowerCase();
      if (status === 'subscribed' || status === 'unsubscribed') {
        row.consent.email = status === 'subscribed';
        return;
      }
      row.problems.push({
        column,
        value: written,
        reason: `${column} ${quote(text)} is neither subscribed nor unsubscribed, so email consent is left unset`,
        rejectsRow: false,
      });
      return;
    }
  }
}

function targetOf(rule: ColumnRule): string {
  switch (rule.kind) {
    case 'field':
      return rule.field;
    case 'consent':
      return `${rule.channel} consent`;
    case 'email-subscription':
      return 'email consent';
  }
}

/** True for the formats whose rows are CSV records. */
export function isCsvFormat(format: DetectedFormat): format is 'meta-leads' | 'square' | 'csv' {
  return format === 'meta-leads' || format === 'square' || format === 'csv';
}
