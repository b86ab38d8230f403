import { normalizeEmail } from '../email.js';
import { normalizePhone } from '../phone.js';
import { issueValue, requote } from './quote.js';
import type { ConsentChannel, ImportedContact, RowIssue } from './types.js';
import { checkDecoded, checkPsid, checkXUserId, normalizeLocale, type CheckResult } from './values.js';

/** A contact field that a column or JSON key can fill. */
export type ContactField =
  | 'firstName'
  | 'lastName'
  | 'fullName'
  | 'email'
  | 'phone'
  | 'locale'
  | 'xUserId'
  | 'messengerPsid'
  | 'externalId';

/** A non-empty, trimmed cell and the column it came from. */
export interface FieldValue {
  column: string;
  value: string;
  /** The cell as written, when `value` had a prefix such as Meta's `p:` removed. */
  cell?: string;
}

/** A cell that cannot be used. A problem that rejects the row keeps the whole row out. */
export interface FieldProblem {
  column: string;
  value: string;
  reason: string;
  rejectsRow: boolean;
}

/** One row or JSON element, mapped to contact fields by its format but not yet checked. */
export interface RowInput {
  fields: Partial<Record<ContactField, FieldValue>>;
  consent: Partial<Record<ConsentChannel, boolean>>;
  problems: FieldProblem[];
}

/** The start of a row: its line and, for a JSON file, the 1-based position of its array element. */
export interface RowPosition {
  line: number;
  element?: number;
}

/** A row as read from the file: mapped to fields, or rejected by its reader with a reason. */
export type SourceRow = (RowPosition & { input: RowInput }) | (RowPosition & { rejected: string });

export interface NormalizedRow {
  /** Missing when the row is rejected. */
  contact?: ImportedContact;
  issues: RowIssue[];
}

type CheckedField = 'email' | 'phone' | 'locale' | 'xUserId' | 'messengerPsid';
type TextField = 'firstName' | 'lastName' | 'fullName' | 'externalId';

const TEXT_FIELDS: ReadonlyArray<[TextField, string]> = [
  ['firstName', 'first name'],
  ['lastName', 'last name'],
  ['fullName', 'name'],
  ['externalId', 'external id'],
];

const CHECKS: ReadonlyArray<[CheckedField, (raw: string, defaultCountry: string) => CheckResult]> = [
  ['email', checkEmail],
  ['phone', checkPhone],
  ['locale', normalizeLocale],
  ['xUserId', checkXUserId],
  ['messengerPsid', checkPsid],
];

const REACH_FIELDS: readonly CheckedField[] = ['email', 'phone', 'xUserId', 'messengerPsid'];

export function emptyRowInput(): RowInput {
  return { fields: {}, consent: {}, problems: [] };
}

/** Returns the position fields of an issue: the line, and the element only when there is one. */
export function issuePosition({ line, element }: RowPosition): Pick<RowIssue, 'line' | 'element'> {
  return element === undefined ? { line } : { line, element };
}

/**
 * Checks and normalizes the fields of one row.
 *
 * A field that fails its check is left out and reported. The row is rejected,
 * and all its issues are errors, when a problem rejects it or when no email,
 * phone, X user id or Messenger PSID is left to reach the contact. Otherwise
 * its issues are warnings and the contact is returned.
 *
 * @param defaultCountry - as for normalizePhone, already validated
 */
export function normalizeRow(position: RowPosition, input: RowInput, defaultCountry: string): NormalizedRow {
  const { fields } = input;
  const contact: ImportedContact = { line: position.line, consent: input.consent };
  const problems = [...input.problems];

  // text fields
  for (const [field, label] of TEXT_FIELDS) {
    const found = fields[field];
    if (found === undefined) {
      continue;
    }
    const reason = checkDecoded(found.value, label);
    if (reason === undefined) {
      contact[field] = found.value;
    } else {
      problems.push(problemOf(found, reason));
    }
  }
  if (contact.firstName === undefined && contact.fullName !== undefined) {
    contact.firstName = contact.fullName.split(/\s+/)[0];
  }

  // checked fields
  for (const [field, check] of CHECKS) {
    const found = fields[field];
    if (found === undefined) {
      continue;
    }
    const result = check(found.value, defaultCountry);
    if (result.ok) {
      contact[field] = result.value;
    } else {
      problems.push(problemOf(found, result.reason));
    }
  }

  // outcome
  const reachable = REACH_FIELDS.some((field) => contact[field] !== undefined);
  const rejected = !reachable || problems.some((problem) => problem.rejectsRow);
  const issues: RowIssue[] = problems.map((problem) => ({
    ...issuePosition(position),
    field: problem.column,
    value: issueValue(problem.value),
    reason: problem.reason,
    severity: rejected ? 'error' : 'warning',
  }));
  if (!reachable) {
    issues.push({
      ...issuePosition(position),
      reason: 'the row has no valid email, phone, X user id or Messenger PSID, so it was not imported',
      severity: 'error',
    });
  }

  return rejected ? { issues } : { contact, issues };
}

function checkEmail(raw: string): CheckResult {
  const result = normalizeEmail(raw);
  return result.ok ? { ok: true, value: result.email } : { ok: false, reason: requote(result.reason, raw) };
}

function checkPhone(raw: string, defaultCountry: string): CheckResult {
  const result = normalizePhone(raw, defaultCountry);
  return result.ok ? { ok: true, value: result.e164 } : { ok: false, reason: requote(result.reason, raw) };
}

function problemOf(found: FieldValue, reason: string): FieldProblem {
  // Excel's ="..." is read as its text, so a value that still starts with = is some other formula.
  const formula = found.value.startsWith('=')
    ? '. The cell looks like a spreadsheet formula, so save the column as plain text and import it again'
    : '';
  return { column: found.column, value: found.cell ?? found.value, reason: `${reason}${formula}`, rejectsRow: false };
}
