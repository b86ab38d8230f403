/**
 * The HTML alternative of an email body. The template is plain text, so all
 * of it is escaped, literal text and substituted values alike, and each line
 * break becomes `<br>` so the HTML shows the same lines as the text part.
 */
import { resolveVariable, type ParsedTemplate, type TemplateValues } from './template.js';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

// Only a whole http or https URL becomes a link: any other scheme, such as
// javascript:, stays text.
const HTTP_URL = /^https?:\/\/[^\s<>"']+$/i;

/** Escapes the five characters that are special in HTML text and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
}

/**
 * Renders the body template as an HTML fragment for one recipient. An
 * `{{orderLink}}` whose value is an http or https URL becomes a link.
 */
export function renderEmailHtml(parsed: ParsedTemplate, values: TemplateValues): string {
  let html = '';
  for (const part of parsed.parts) {
    if (part.kind === 'text') {
      html += escapeHtml(part.text);
      continue;
    }

    const value = resolveVariable(part, values);
    if (part.name === 'orderLink' && HTTP_URL.test(value)) {
      const escaped = escapeHtml(value);
      html += `<a href="${escaped}">${escaped}</a>`;
    } else {
      html += escapeHtml(value);
    }
  }
  return html.replace(/\r\n|\r|\n/g, '<br>\n');
}
