/**
 * Campaign message templates with named variables, parsed once and rendered
 * per recipient. Pure functions with no I/O, shared by the console's live
 * preview and the server's send path.
 *
 * Syntax:
 * - `{{firstName}}` is replaced by the recipient's value. Spaces inside the
 *   braces are allowed: `{{ firstName }}`.
 * - `{{firstName|there}}` uses `there` when the value is missing, empty or
 *   only whitespace. Spaces around the name and the fallback are dropped.
 * - `\{{` writes a literal `{{`. As in Handlebars, `\\{{firstName}}` writes one
 *   backslash followed by the value. A backslash anywhere else is literal text.
 * - A placeholder ends at the first `}}` and must close on the line where it
 *   opens, so the fallback can contain neither `}}` nor a line break.
 */
import { formatValue } from '../common/errors.js';
import { createPositionLocator, type TextPosition } from './text-position.js';

/** The variables a template may use, in the order the editor's variable picker lists them. */
export const TEMPLATE_VARIABLES = [
  {
    name: 'firstName',
    description: "The recipient's first name, empty when the contact has none, so give it a fallback.",
    sample: 'Maria',
  },
  {
    name: 'code',
    description: 'The single-use offer code issued to this recipient.',
    sample: 'K7MP3QXA',
  },
  {
    name: 'truck',
    description: 'The name of the truck that makes the offer.',
    sample: 'Taco Loco',
  },
  {
    name: 'validUntil',
    description: "When the offer ends, in the truck's time zone and the recipient's language.",
    sample: 'Sat, Dec 5, 1:30 PM PST',
  },
  {
    name: 'orderLink',
    description: 'The link where the recipient orders ahead or shows the offer.',
    sample: 'https://example.com/o/K7MP3QXA',
  },
  {
    name: 'benefit',
    description: 'What the offer gives, such as "20% off" or "a free horchata".',
    sample: '20% off',
  },
] as const satisfies readonly { name: string; description: string; sample: string }[];

/** Name of a template variable, such as `firstName`. */
export type VariableName = (typeof TEMPLATE_VARIABLES)[number]['name'];

/** Values for one recipient. A missing, null or whitespace-only value counts as empty. */
export type TemplateValues = Partial<Record<VariableName, string | null>>;

/** A run of literal text, with escapes already resolved. */
export interface TextPart {
  kind: 'text';
  text: string;
}

/** A valid placeholder and where it is in the source, braces included. */
export interface VariablePart {
  kind: 'variable';
  name: VariableName;
  /** Text used when the value is empty; absent when the placeholder has no `|`. */
  fallback?: string;
  offset: number;
  length: number;
}

export type TemplatePart = TextPart | VariablePart;

export type TemplateErrorCode = 'unknown_variable' | 'empty_variable_name' | 'unclosed_variable';

/** A syntax error, located so the editor can underline `length` code units from `offset`. */
export interface TemplateError extends TextPosition {
  code: TemplateErrorCode;
  /** The name as written, trimmed; empty for `empty_variable_name`. */
  variable: string;
  length: number;
  message: string;
}

/** A parsed template. A placeholder with an error stays in `parts` as literal text. */
export interface ParsedTemplate {
  source: string;
  parts: TemplatePart[];
  /** Distinct variables used, in order of first use. */
  variables: VariableName[];
  errors: TemplateError[];
}

const VARIABLE_NAMES: readonly VariableName[] = TEMPLATE_VARIABLES.map((variable) => variable.name);
const KNOWN_NAMES = new Set<string>(VARIABLE_NAMES);

/** An edit distance up to this suggests a typo of a known name; `fristName` is 2 from `firstName`. */
const MAX_SUGGESTION_DISTANCE = 2;

/**
 * Parses `text` into literal runs and placeholders. Problems do not throw.
 * They are returned in `errors`, in source order, each with its position.
 */
export function parseTemplate(text: string): ParsedTemplate {
  const locate = createPositionLocator(text);
  const parts: TemplatePart[] = [];
  const variables: VariableName[] = [];
  const errors: TemplateError[] = [];
  let literal = '';
  let index = 0;

  while (index < text.length) {
    const open = text.indexOf('{{', index);
    if (open === -1) {
      literal += text.slice(index);
      break;
    }

    // An odd run of backslashes escapes the braces, and each pair in it is one literal backslash.
    let backslashes = 0;
    while (open - backslashes - 1 >= index && text[open - backslashes - 1] === '\\') backslashes++;
    literal += text.slice(index, open - backslashes) + '\\'.repeat(Math.floor(backslashes / 2));
    if (backslashes % 2 === 1) {
      literal += '{{';
      index = open + 2;
      continue;
    }

    const placeholder = readPlaceholder(text, open);
    if (placeholder.error !== undefined) {
      const { problem, hint, ...error } = placeholder.error;
      const position = locate(open);
      const message = `${problem} at line ${position.line}, column ${position.column}. ${hint}`;
      errors.push({ ...error, ...position, message });
      // The broken placeholder stays visible in the preview as typed.
      literal += text.slice(open, placeholder.end);
      index = placeholder.end;
      continue;
    }

    if (literal !== '') parts.push({ kind: 'text', text: literal });
    literal = '';
    parts.push(placeholder.part);
    if (!variables.includes(placeholder.part.name)) variables.push(placeholder.part.name);
    index = placeholder.end;
  }

  if (literal !== '') parts.push({ kind: 'text', text: literal });
  return { source: text, parts, variables, errors };
}

interface PlaceholderError {
  code: TemplateErrorCode;
  variable: string;
  length: number;
  /** The problem, such as `unknown variable "x"`, which the position follows in the message. */
  problem: string;
  /** One sentence on how to fix it. */
  hint: string;
}

type PlaceholderResult = { part: VariablePart; error?: undefined; end: number } | { error: PlaceholderError; end: number };

// Reads the placeholder whose `{{` is at `open`. A closed placeholder with an
// error ends after its `}}`. An unclosed one ends after its `{{`, so the rest
// of the line is parsed again as text and may hold valid placeholders.
function readPlaceholder(text: string, open: number): PlaceholderResult {
  const contentStart = open + 2;
  const close = findClose(text, contentStart);

  if (close === -1) {
    const written = /^\s*([^\s|{}]*)/.exec(text.slice(contentStart))?.[1] ?? '';
    const nameEnd = text.indexOf(written, contentStart) + written.length;
    return {
      error: {
        code: 'unclosed_variable',
        variable: written,
        length: written === '' ? 2 : nameEnd - open,
        problem: written === '' ? 'unclosed "{{"' : `unclosed variable ${formatValue(written)}`,
        hint: 'Add }} after it on the same line, or write \\{{ for literal braces.',
      },
      end: contentStart,
    };
  }

  const end = close + 2;
  const content = text.slice(contentStart, close);
  const pipe = content.indexOf('|');
  const name = (pipe === -1 ? content : content.slice(0, pipe)).trim();
  const length = end - open;

  if (name === '') {
    return {
      error: {
        code: 'empty_variable_name',
        variable: '',
        length,
        problem: `empty variable name ${formatValue(text.slice(open, end))}`,
        hint: 'Write a name such as {{firstName}}, or \\{{ for literal braces.',
      },
      end,
    };
  }
  if (!KNOWN_NAMES.has(name)) {
    return {
      error: { code: 'unknown_variable', variable: name, length, problem: `unknown variable ${formatValue(name)}`, hint: hintForUnknown(name) },
      end,
    };
  }

  const part: VariablePart = { kind: 'variable', name: name as VariableName, offset: open, length };
  if (pipe !== -1) part.fallback = content.slice(pipe + 1).trim();
  return { part, end };
}

// Returns the offset of the `}}` that closes a placeholder, or -1 when a line
// break, another `{{` or the end of the text comes first.
function findClose(text: string, from: number): number {
  for (let index = from; index < text.length; index++) {
    const character = text[index];
    if (character === '\n' || character === '\r') return -1;
    if (character === '}' && text[index + 1] === '}') return index;
    if (character === '{' && text[index + 1] === '{') return -1;
  }
  return -1;
}

function hintForUnknown(name: string): string {
  const suggestion = suggestName(name);
  if (suggestion !== undefined) return `Did you mean ${suggestion}?`;
  return `Use one of ${VARIABLE_NAMES.join(', ')}.`;
}

function suggestName(name: string): VariableName | undefined {
  let best: VariableName | undefined;
  let bestDistance = MAX_SUGGESTION_DISTANCE + 1;
  for (const known of VARIABLE_NAMES) {
    const distance = editDistance(name.toLowerCase(), known.toLowerCase());
    if (distance < bestDistance) {
      best = known;
      bestDistance = distance;
    }
  }
  return best;
}

// Levenshtein distance over UTF-16 code units, with one row of the table kept.
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Returns true when `value` is missing, null or only whitespace, which makes a placeholder use its fallback. */
export function isEmptyValue(value: string | null | undefined): boolean {
  return value === undefined || value === null || value.trim() === '';
}

/**
 * Resolves one placeholder: the value without surrounding whitespace, else
 * the fallback, else an empty string.
 */
export function resolveVariable(part: VariablePart, values: TemplateValues): string {
  const value = values[part.name];
  if (isEmptyValue(value)) return part.fallback ?? '';
  return value!.trim();
}

/**
 * Renders a parsed template with one recipient's values. Placeholders with
 * errors render as typed, so check `parsed.errors` before sending.
 */
export function renderTemplate(parsed: ParsedTemplate, values: TemplateValues): string {
  let text = '';
  for (const part of parsed.parts) {
    text += part.kind === 'text' ? part.text : resolveVariable(part, values);
  }
  return text;
}

/** Lists the variables that render as an empty string: empty value and no fallback, in order of first use. */
export function findMissingValues(parsed: ParsedTemplate, values: TemplateValues): VariableName[] {
  const missing: VariableName[] = [];
  for (const part of parsed.parts) {
    if (part.kind !== 'variable' || part.fallback !== undefined) continue;
    if (isEmptyValue(values[part.name]) && !missing.includes(part.name)) missing.push(part.name);
  }
  return missing;
}
