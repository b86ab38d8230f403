/** The steps of the campaign editor, in the order the marketer walks through them. */
export const EDITOR_STEPS = ['goal', 'target', 'benefit', 'channels', 'messages'] as const;
export type EditorStep = (typeof EDITOR_STEPS)[number];

/**
 * Returns the step that shows a field of the campaign definition, so a rejected field
 * can be shown where it is edited. `segments.2.templates.sms.body` is on the messages
 * step, `segments.2.name` on the target step.
 */
export function stepOfField(field: string): EditorStep {
  const [head, , third] = field.split('.');
  switch (head) {
    case 'name':
    case 'goal':
      return 'goal';
    case 'benefit':
      return 'benefit';
    case 'channels':
      return 'channels';
    case 'nearbyTemplates':
      return 'messages';
    case 'segments':
      return third === 'templates' ? 'messages' : 'target';
    default:
      return 'target';
  }
}

/** Builds the path of one template in the definition, which the server's errors extend with `.subject` or `.body`. */
export function templatePath(segmentIndex: number | 'nearby', kind: string): string {
  return segmentIndex === 'nearby' ? `nearbyTemplates.${kind}` : `segments.${segmentIndex}.templates.${kind}`;
}
