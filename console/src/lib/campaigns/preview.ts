/**
 * The editor's live preview: a template rendered for its channel with sample or
 * worst-case values, and the text runs to mark in it.
 */
import { SAMPLE_VALUES, worstCaseValues } from '../../../../messages/preview-values.js';
import { renderKind } from '../../../../messages/render-kind.js';
import type { Rendering } from '../../../../messages/render.js';
import type { TemplateValues } from '../../../../messages/template.js';
import type { TemplateDraft } from './draft.js';
import type { TemplateKind } from './types.js';

export type PreviewValuesMode = 'sample' | 'worst';

/**
 * Returns the values to render with: the typical SAMPLE_VALUES, or the longest and
 * costliest values a recipient could have, with the values in `known` kept as they are.
 */
export function previewValues(mode: PreviewValuesMode, known: TemplateValues = {}): TemplateValues {
  return mode === 'sample' ? SAMPLE_VALUES : worstCaseValues(known);
}

/** Renders one template of `kind` as its channel would send it, with every issue the renderer finds. */
export function renderPreview(kind: TemplateKind, template: TemplateDraft, values: TemplateValues): Rendering {
  return renderKind(kind, template, values);
}

/** A run of text, marked or not. */
export interface TextRun {
  text: string;
  marked: boolean;
}

/**
 * Splits `text` into runs, marking the UTF-16 ranges given. Overlapping ranges merge,
 * and a zero-length range at the end of the text marks nothing.
 */
export function markRanges(text: string, ranges: ReadonlyArray<{ offset: number; length: number }>): TextRun[] {
  const marked = new Array<boolean>(text.length).fill(false);
  for (const { offset, length } of ranges) {
    for (let index = Math.max(0, offset); index < Math.min(text.length, offset + length); index++) marked[index] = true;
  }
  return toRuns(text, (index) => marked[index]!);
}

/** Splits `text` into runs, marking every occurrence of the characters (code points) in `characters`. */
export function markCharacters(text: string, characters: ReadonlySet<string>): TextRun[] {
  const marked = new Array<boolean>(text.length).fill(false);
  let index = 0;
  for (const character of text) {
    if (characters.has(character)) marked.fill(true, index, index + character.length);
    index += character.length;
  }
  return toRuns(text, (position) => marked[position]!);
}

function toRuns(text: string, isMarked: (index: number) => boolean): TextRun[] {
  const runs: TextRun[] = [];
  for (let index = 0; index < text.length; index++) {
    const mark = isMarked(index);
    const last = runs[runs.length - 1];
    if (last && last.marked === mark) last.text += text[index];
    else runs.push({ text: text[index]!, marked: mark });
  }
  return runs;
}
