import type { MenuProblem } from './menu-body.js';

/**
 * The kitchen's pace behind the estimated ready times, as `GET /v1/admin/trucks/:id/menu`
 * returns it and `PUT /v1/admin/trucks/:id/prep-time` takes it, in whole seconds.
 */
export interface PrepTime {
  secondsPerItem: number;
  secondsPerOrder: number;
}

export type PrepTimeField = keyof PrepTime;

/** The preparation time form as typed: minutes and seconds ("1:30") or seconds ("90") per field. */
export interface PrepTimeDraft {
  secondsPerItem: string;
  secondsPerOrder: string;
}

export const PREP_TIME_FIELDS: readonly PrepTimeField[] = ['secondsPerItem', 'secondsPerOrder'];

/** Maximum seconds per item and per order: an hour, the bound the server checks too. */
export const MAX_PREP_SECONDS = 3600;

/** Minutes, then a colon (ASCII or the full-width one of Chinese input methods), then two digits of seconds. */
const MINUTES_SECONDS = /^(\d+)[:：]([0-5]\d)$/;
const SECONDS = /^\d+$/;

export type ParsedDuration = { ok: true; seconds: number } | { ok: false; problem: 'empty' | 'invalid' | 'max' };

/** Reads a duration typed as minutes and seconds ("1:30", "0:45") or as seconds alone ("90"). */
export function parseDuration(text: string): ParsedDuration {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, problem: 'empty' };

  const parts = MINUTES_SECONDS.exec(trimmed);
  let seconds: number;
  if (parts) seconds = Number(parts[1]) * 60 + Number(parts[2]);
  else if (SECONDS.test(trimmed)) seconds = Number(trimmed);
  else return { ok: false, problem: 'invalid' };

  if (!Number.isSafeInteger(seconds)) return { ok: false, problem: 'invalid' };
  return seconds > MAX_PREP_SECONDS ? { ok: false, problem: 'max' } : { ok: true, seconds };
}

/** Writes seconds as the minutes and seconds `parseDuration` reads back: 90 is "1:30", 45 is "0:45". */
export function formatDuration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, '0')}`;
}

export function draftFromPrepTime(prepTime: PrepTime): PrepTimeDraft {
  return { secondsPerItem: formatDuration(prepTime.secondsPerItem), secondsPerOrder: formatDuration(prepTime.secondsPerOrder) };
}

export type PrepTimeBuild = { ok: true; prepTime: PrepTime } | { ok: false; problems: MenuProblem[] };

/** Builds the body of the PUT, or lists a problem for each field that does not read. */
export function buildPrepTime(draft: PrepTimeDraft): PrepTimeBuild {
  const problems: MenuProblem[] = [];
  const prepTime: PrepTime = { secondsPerItem: 0, secondsPerOrder: 0 };
  for (const field of PREP_TIME_FIELDS) {
    const parsed = parseDuration(draft[field]);
    if (parsed.ok) prepTime[field] = parsed.seconds;
    else problems.push(problemOf(field, parsed.problem));
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, prepTime };
}

/** Returns whether the draft reads as other values than `saved`; a field that does not read counts as changed. */
export function isPrepTimeChanged(draft: PrepTimeDraft, saved: PrepTime): boolean {
  return PREP_TIME_FIELDS.some((field) => {
    const parsed = parseDuration(draft[field]);
    return !parsed.ok || parsed.seconds !== saved[field];
  });
}

/**
 * Places a rejected save on the form: at its field when the reply names `secondsPerItem` or
 * `secondsPerOrder`, else as a failure above the fields (`(body)`, a 404, a network error).
 */
export function placeRejection(error: { field?: string; message: string }): { problems: MenuProblem[]; failure: string | null } {
  const field = PREP_TIME_FIELDS.find((candidate) => candidate === error.field);
  if (field === undefined) return { problems: [], failure: error.message };
  return { problems: [{ field, serverMessage: error.message }], failure: null };
}

function problemOf(field: PrepTimeField, problem: 'empty' | 'invalid' | 'max'): MenuProblem {
  if (problem === 'empty') return { field, key: 'menu.check.required' };
  if (problem === 'max') return { field, key: 'menu.prep.check.max', params: { max: formatDuration(MAX_PREP_SECONDS) } };
  return { field, key: 'menu.prep.check.format' };
}
