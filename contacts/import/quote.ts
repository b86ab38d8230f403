// Cells come from files that may contain anything: control characters that move a
// terminal's cursor, bidirectional overrides that reorder a console line, or a
// whole binary file read as one cell. Every message and issue value that quotes a
// cell goes through these helpers, so it stays short and shows such characters as escapes.

/** Characters of a cell quoted in a reason. A reader needs only the start of a value to find it. */
const MAX_QUOTED_CHARS = 60;

/** Characters of an issue's `value`: the store keeps 500, and this fits the longest valid email address, 254. */
const MAX_ISSUE_VALUE_CHARS = 256;

// C0 and C1 controls and DEL (\p{Cc}), the line and paragraph separators, and
// the bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
const UNSAFE = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/gu;

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Replaces control and bidirectional formatting characters with escapes such as `\n` or `\u0000`. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (character) => SHORT_ESCAPES[character] ?? `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Quotes a cell for a message: in double quotes, with quotes and backslashes
 * escaped as in JSON, control characters escaped, and cut with … after 60 characters.
 */
export function quote(value: string): string {
  const clipped = clip(value, MAX_QUOTED_CHARS);
  const quoted = escapeControls(JSON.stringify(clipped.text));
  return clipped.cut ? `${quoted.slice(0, -1)}…"` : quoted;
}

/** Returns a cell as an issue's `value`: control characters escaped, cut with … after 256 characters. */
export function issueValue(value: string): string {
  const clipped = clip(value, MAX_ISSUE_VALUE_CHARS);
  const text = escapeControls(clipped.text);
  return clipped.cut ? `${text}…` : text;
}

/** Escapes and cuts a name, such as a column name, for a list in a message or a summary. */
export function shortName(name: string): string {
  const clipped = clip(name, MAX_QUOTED_CHARS);
  const text = escapeControls(clipped.text);
  return clipped.cut ? `${text}…` : text;
}

/**
 * Replaces the JSON-quoted `raw` in a reason built elsewhere, such as by
 * normalizePhone, with quote(raw). Those functions quote the whole value with
 * JSON.stringify, which neither cuts it nor escapes DEL, C1 controls or bidirectional overrides.
 */
export function requote(reason: string, raw: string): string {
  const quoted = JSON.stringify(raw);
  const safe = quote(raw);
  return quoted === safe ? reason : reason.replaceAll(quoted, safe);
}

/** Cuts `text` after `max` code points, never inside a surrogate pair. */
function clip(text: string, max: number): { text: string; cut: boolean } {
  if (text.length <= max) {
    return { text, cut: false };
  }
  const start = Array.from(text.slice(0, max * 2)).slice(0, max).join('');
  return start.length < text.length ? { text: start, cut: true } : { text, cut: false };
}
