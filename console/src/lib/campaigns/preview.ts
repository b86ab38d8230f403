/**
 * The editor's live preview: a template rendered for its channel with sample or
 * worst-case values, and the text runs to mark in it.
 */
import { SAMPLE_VALUES, worstCaseValues } from '../../../../messages/preview-values.js';
import { renderKind } from '../../../../messages/render-kind.js';
import type { Rendering, RenderingIssue } from '../../../../messages/render.js';
import { isEmptyValue, parseTemplate, type TemplateValues, type VariableName } from '../../../../messages/template.js';
import type { TemplateDraft } from './draft.js';
import type { CodeMode, TemplateKind } from './types.js';

export type PreviewValuesMode = 'sample' | 'worst';

/**
 * Returns the values to render with: the typical SAMPLE_VALUES, or the longest and
 * costliest values a recipient could have. In both modes the values in `known` that are
 * not empty, such as the campaign's truck name, replace the made-up ones.
 */
export function previewValues(mode: PreviewValuesMode, known: TemplateValues = {}): TemplateValues {
  if (mode === 'worst') return worstCaseValues(known);

  const values: Record<VariableName, string> = { ...SAMPLE_VALUES };
  for (const [name, value] of Object.entries(known) as [VariableName, string | null | undefined][]) {
    if (!isEmptyValue(value)) values[name] = value!.trim();
  }
  return values;
}

/** Renders one template of `kind` as its channel would send it, with every issue the renderer finds. */
export function renderPreview(kind: TemplateKind, template: TemplateDraft, values: TemplateValues): Rendering {
  return renderKind(kind, template, values);
}

/**
 * The server's rule, checked on save, that a public X post cannot show a code that is
 * unique per recipient: everyone reads the same post.
 */
export interface PostCodeIssue {
  severity: 'error';
  code: 'unique_code_in_post';
  field: 'text';
  variable?: undefined;
}

/** An issue the preview lists under a template. */
export type PreviewIssue = RenderingIssue | PostCodeIssue;

/**
 * Lists the issues of a template's preview: those of its `rendering`, and an error for an X
 * post that shows `{{code}}` without a fallback in a segment with unique codes, which the
 * server rejects on save.
 */
export function previewIssues(kind: TemplateKind, template: TemplateDraft, codeMode: CodeMode, rendering: Rendering): PreviewIssue[] {
  const issues: PreviewIssue[] = [...rendering.issues];
  if (kind === 'x_post' && codeMode === 'unique' && showsCodeWithoutFallback(template.body)) {
    issues.push({ severity: 'error', code: 'unique_code_in_post', field: 'text' });
  }
  return issues;
}

/** Returns true when `body` shows `{{code}}` with no fallback, as the server's check on save reads it. */
function showsCodeWithoutFallback(body: string): boolean {
  return parseTemplate(body).parts.some((part) => part.kind === 'variable' && part.name === 'code' && part.fallback === undefined);
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
