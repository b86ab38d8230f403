import { CloudburstError } from '../../common/errors.js';
import { parseTemplate } from '../../messages/template.js';
import type { TemplateKind } from './definition.js';

/**
 * Rejects a template with a syntax error (unknown variable, unclosed braces) and an
 * email without a subject, naming the field, the line and the column. Length limits
 * depend on each recipient's values, so they are checked per message when sending.
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
}
