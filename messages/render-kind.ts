import { renderForChannel, type Rendering } from './render.js';
import type { TemplateValues } from './template.js';

/** The message kinds a campaign template is written for: one per channel, and a post and a direct message on X. */
export type MessageKind = 'push' | 'sms' | 'x_post' | 'x_dm' | 'messenger' | 'email';

/**
 * Renders a template of one message kind as its channel sends it. The subject is the
 * email's subject and the push's title; the other kinds have none. Shared by the
 * editor's preview, the check on save and the sender, so all three measure alike.
 */
export function renderKind(kind: MessageKind, template: { subject?: string | null; body: string }, values: TemplateValues): Rendering {
  switch (kind) {
    case 'email':
      return renderForChannel('email', { subject: template.subject ?? '', body: template.body }, values);
    case 'push':
      return renderForChannel('push', { title: template.subject ?? '', body: template.body }, values);
    case 'x_post':
      return renderForChannel('x', template.body, values, { kind: 'post' });
    case 'x_dm':
      return renderForChannel('x', template.body, values, { kind: 'dm' });
    case 'sms':
      return renderForChannel('sms', template.body, values);
    case 'messenger':
      return renderForChannel('messenger', template.body, values);
  }
}
