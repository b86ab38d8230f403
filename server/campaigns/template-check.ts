import { CloudburstError } from '../../common/errors.js';
import { renderKind } from '../../messages/render-kind.js';
import { parseTemplate, TEMPLATE_VARIABLES, type VariableName } from '../../messages/template.js';
import type { TemplateKind } from './definition.js';

/** Issues that mean the message is too long for its channel whatever the recipient. */
const LENGTH_ERRORS = new Set(['too_long', 'too_many_parts']);

/**
 * Values of the shortest message a recipient could get: one character each, and a shared
 * code of the least length a marketer may choose. A template over its channel's limit with
 * these is over it for everyone, so it is rejected on save rather than parked per send.
 */
const MIN_VALUES = Object.fromEntries(
  TEMPLATE_VARIABLES.map((variable) => [variable.name, variable.name === 'code' ? 'WWWW' : 'A']),
) as Record<VariableName, string>;

/**
 * Rejects a template with a syntax error (unknown variable, unclosed braces), an
 * email without a subject, or text over its channel's limit even with the shortest
 * values, naming the field, the line and the column. Whether a recipient's own values
 * push a message over the limit is checked per message when sending.
 */
export function assertTemplate(field: string, kind: TemplateKind, template: { subject?: string; body: string }): void {
  const parts: Array<['body' | 'subject', string]> = [['body', template.body]];
  if (kind === 'email') {
    if (template.subject === undefined || template.subject.trim() === '') {
      throw new CloudburstError('invalid_input', `invalid ${field}.subject: an email template needs a subject`, { field: `${field}.subject`, value: template.subject ?? null });
    }
    parts.push(['subject', template.subject]);
  } else if (kind !== 'push' && template.subject !== undefined) {
    throw new CloudburstError('invalid_input', `invalid ${field}.subject: only email and push templates have a subject (title)`, {
      field: `${field}.subject`,
      value: template.subject,
    });
  }
  for (const [name, text] of parts) {
    const [error] = parseTemplate(text).errors;
    if (error) {
      throw new CloudburstError('invalid_input', `invalid ${field}.${name}: ${error.message}`, {
        field: `${field}.${name}`,
        value: error.variable,
        context: { line: error.line, column: error.column, offset: error.offset },
      });
    }
  }
  const tooLong = renderKind(kind, template, MIN_VALUES).issues.find((issue) => LENGTH_ERRORS.has(issue.code));
  if (tooLong) {
    const name = tooLong.field === 'subject' || tooLong.field === 'title' ? 'subject' : 'body';
    // The renderer's message may end a sentence, and this one goes on after it.
    const measured = tooLong.message.replace(/\.$/, '');
    throw new CloudburstError('invalid_input', `invalid ${field}.${name}: ${measured}, whatever the recipient's values`, {
      field: `${field}.${name}`,
      value: excerpt(name === 'subject' ? (template.subject ?? '') : template.body),
    });
  }
}

/** Returns the start of a long text, enough to recognise it in an error. */
function excerpt(text: string): string {
  return text.length <= 120 ? text : `${text.slice(0, 120)}…`;
}
