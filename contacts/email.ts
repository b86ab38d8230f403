import { domainToASCII } from 'node:url';

export type EmailResult = { ok: true; email: string } | { ok: false; reason: string };

// Limits from RFC 5321, section 4.5.3.1: a local part of at most 64 octets and
// a forward path of at most 256 octets. The path encloses the address in angle
// brackets, which leaves 254 for the address.
const MAX_LOCAL_PART_LENGTH = 64;
const MAX_ADDRESS_LENGTH = 254;
const MAX_LABEL_LENGTH = 63;

// The dot-atom characters of RFC 5322 without the dot, which is checked separately.
const LOCAL_PART_CHARACTERS = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/**
 * Normalizes an email address from an imported contact list: trims it,
 * lowercases the whole address and checks its syntax.
 *
 * The local part is lowercased too although RFC 5321 lets a server treat it
 * as case-sensitive. Contacts are deduplicated by address, the common mail
 * providers ignore case, and a list that contains `Ann@x.com` and `ann@x.com`
 * almost always means one person. An internationalized domain is returned in
 * its ASCII (punycode) form, so both spellings of it give one address.
 *
 * The check is pragmatic rather than complete: quoted local parts, comments,
 * IP address literals and non-ASCII local parts are rejected. Provider rules
 * such as ignored dots or `+tag` suffixes are not applied, because they hold
 * only for some providers.
 *
 * @example
 * normalizeEmail('  Ann.Lee@Example.COM ') // { ok: true, email: 'ann.lee@example.com' }
 */
export function normalizeEmail(raw: string): EmailResult {
  const address = raw.trim().toLowerCase();
  const quoted = JSON.stringify(raw);

  if (address === '') {
    return { ok: false, reason: 'email address is empty' };
  }

  const at = address.lastIndexOf('@');
  if (at === -1) {
    return { ok: false, reason: `email address ${quoted} has no @` };
  }
  const localPart = address.slice(0, at);
  const domainPart = address.slice(at + 1);

  const localProblem = checkLocalPart(localPart);
  if (localProblem !== undefined) {
    return { ok: false, reason: `email address ${quoted} is invalid: ${localProblem}` };
  }

  if (domainPart === '') {
    return { ok: false, reason: `email address ${quoted} is invalid: the part after @ is empty` };
  }

  // domainToASCII returns '' for a domain that is not a valid hostname.
  const domain = domainToASCII(domainPart);
  const domainProblem = domain === '' ? 'the domain is not a valid host name' : checkDomain(domain);
  if (domainProblem !== undefined) {
    return { ok: false, reason: `email address ${quoted} is invalid: ${domainProblem}` };
  }

  const email = `${localPart}@${domain}`;
  if (email.length > MAX_ADDRESS_LENGTH) {
    return {
      ok: false,
      reason: `email address ${quoted} is invalid: it has ${email.length} characters, the maximum is ${MAX_ADDRESS_LENGTH}`,
    };
  }

  return { ok: true, email };
}

function checkLocalPart(localPart: string): string | undefined {
  if (localPart === '') {
    return 'the part before @ is empty';
  }
  if (localPart.length > MAX_LOCAL_PART_LENGTH) {
    return `the part before @ has ${localPart.length} characters, the maximum is ${MAX_LOCAL_PART_LENGTH}`;
  }
  if (localPart.startsWith('.') || localPart.endsWith('.') || localPart.includes('..')) {
    return 'the part before @ starts or ends with a dot or has two dots in a row';
  }
  if (!localPart.split('.').every((atom) => LOCAL_PART_CHARACTERS.test(atom))) {
    return 'the part before @ contains a character other than letters, digits and !#$%&\'*+-/=?^_`{|}~.';
  }
  return undefined;
}

function checkDomain(domain: string): string | undefined {
  const labels = domain.split('.');
  if (labels.length < 2) {
    return 'the domain has no dot, so it has no top-level domain';
  }
  for (const label of labels) {
    if (label.length > MAX_LABEL_LENGTH) {
      return `the domain label "${label}" has ${label.length} characters, the maximum is ${MAX_LABEL_LENGTH}`;
    }
    if (!DOMAIN_LABEL.test(label)) {
      return `the domain label "${label}" is empty or contains a character other than letters, digits and inner hyphens`;
    }
  }
  const topLevel = labels[labels.length - 1] ?? '';
  if (/^\d+$/.test(topLevel)) {
    return `the top-level domain "${topLevel}" is all digits`;
  }
  return undefined;
}
