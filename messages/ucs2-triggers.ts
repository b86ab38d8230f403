/**
 * Finds what made a rendered SMS UCS-2, so the editor can point at the
 * characters in the template or name the variable whose value brought them.
 */
import { isEmptyValue, type ParsedTemplate, type TemplateValues, type VariableName } from './template.js';
import { createPositionLocator, type TextPosition } from './text-position.js';

/**
 * A character that made the SMS UCS-2. One entry per occurrence in the
 * template, with its `position`, and `variable` too when it sits in that
 * variable's fallback. One entry per distinct character of each value that
 * has one, with `variable` and no position.
 */
export interface Ucs2Trigger {
  character: string;
  position?: TextPosition;
  variable?: VariableName;
}

/**
 * Lists the occurrences of the `nonGsm` characters (from `measureSms` of the
 * rendered text) in the template's literal text, in the fallbacks that were
 * used and in the values of the variables it uses.
 */
export function findUcs2Triggers(parsed: ParsedTemplate, values: TemplateValues, nonGsm: ReadonlySet<string>): Ucs2Trigger[] {
  const triggers: Ucs2Trigger[] = [];
  const locate = createPositionLocator(parsed.source);
  const placeholders = parsed.parts.filter((part) => part.kind === 'variable');

  // In the source, a non-GSM character is literal text or part of a fallback,
  // because known variable names are ASCII. A fallback counts only when used.
  let offset = 0;
  for (const character of parsed.source) {
    if (nonGsm.has(character)) {
      const placeholder = placeholders.find((part) => offset >= part.offset && offset < part.offset + part.length);
      if (placeholder === undefined) {
        triggers.push({ character, position: locate(offset) });
      } else if (isEmptyValue(values[placeholder.name])) {
        triggers.push({ character, position: locate(offset), variable: placeholder.name });
      }
    }
    offset += character.length;
  }

  for (const variable of parsed.variables) {
    const value = values[variable];
    if (isEmptyValue(value)) continue;
    for (const character of new Set(value!.trim())) {
      if (nonGsm.has(character)) triggers.push({ character, variable });
    }
  }
  return triggers;
}
