import { toApiError } from '../campaigns/admin-api.js';
import type { MenuApi } from './menu-api.js';
import type { MenuProblem } from './menu-body.js';
import { buildPrepTime, draftFromPrepTime, isPrepTimeChanged, placeRejection, type PrepTime, type PrepTimeDraft, type PrepTimeField } from './prep-time.js';

/** State shown next to the preparation time's save button. */
export type PrepTimeStatus = 'saving' | 'unsaved' | 'saved' | 'none';

const emptyDraft = (): PrepTimeDraft => ({ secondsPerItem: '', secondsPerOrder: '' });

/**
 * The preparation time form of one truck's menu. It is saved with its own request, apart
 * from the menu, so its edits and problems are kept apart from the menu draft's.
 */
export class PrepTimeEditor {
  draft = $state<PrepTimeDraft>(emptyDraft());
  /** The preparation time as stored, or null while the truck has no menu or it could not be read. */
  saved = $state.raw<PrepTime | null>(null);
  saving = $state(false);
  problems = $state.raw<MenuProblem[]>([]);
  /** A failed save whose cause the form cannot show next to a field. */
  failure = $state<string | null>(null);
  /** True from a successful save until the next edit, for the "Saved" note. */
  justSaved = $state(false);

  /** Counts resets, so a reply that arrives after a truck change or sign-out is dropped. */
  #resets = 0;

  /** True when the fields read as other values than the stored ones, or, without stored values, when anything is typed. */
  dirty = $derived(this.saved === null ? this.draft.secondsPerItem.trim() !== '' || this.draft.secondsPerOrder.trim() !== '' : isPrepTimeChanged(this.draft, this.saved));
  status: PrepTimeStatus = $derived.by(() => {
    if (this.saving) return 'saving';
    if (this.dirty) return 'unsaved';
    return this.justSaved ? 'saved' : 'none';
  });

  /** Takes the stored preparation time from a load. Values typed and not saved stay on the form, like the menu's unsaved edits. */
  setStored(prepTime: PrepTime | null): void {
    const keepTyped = this.dirty;
    this.saved = prepTime;
    if (keepTyped) return;
    this.draft = prepTime ? draftFromPrepTime(prepTime) : emptyDraft();
    this.problems = [];
    this.failure = null;
  }

  /**
   * Saves the typed values with a PUT of the preparation time. Problems the form finds, and
   * the field the server rejects, are shown next to their field, and the values stay as
   * typed. Returns whether the preparation time was saved.
   */
  async save(api: Pick<MenuApi, 'putPrepTime'>, truckId: string): Promise<boolean> {
    if (this.saving) return false;
    this.failure = null;
    this.justSaved = false;
    const built = buildPrepTime(this.draft);
    if (!built.ok) {
      this.problems = built.problems;
      return false;
    }

    this.saving = true;
    const resets = this.#resets;
    try {
      const stored = await api.putPrepTime(truckId, built.prepTime);
      if (resets !== this.#resets) return false;
      this.saved = stored;
      // The fields are disabled while saving, so replacing the draft loses no typing.
      this.draft = draftFromPrepTime(stored);
      this.problems = [];
      this.justSaved = true;
      return true;
    } catch (error) {
      if (resets !== this.#resets) return false;
      const placed = placeRejection(toApiError(error));
      this.problems = placed.problems;
      this.failure = placed.failure;
      return false;
    } finally {
      if (resets === this.#resets) this.saving = false;
    }
  }

  problemsOf(field: PrepTimeField): MenuProblem[] {
    return this.problems.filter((problem) => problem.field === field);
  }

  /** Clears a field's problems once it is edited, and the "Saved" note. */
  noteEdit(field: string): void {
    this.justSaved = false;
    if (this.problems.some((problem) => problem.field === field)) this.problems = this.problems.filter((problem) => problem.field !== field);
  }

  /** Forgets the values on a truck change or sign-out. */
  reset(): void {
    this.#resets += 1;
    this.draft = emptyDraft();
    this.saved = null;
    this.saving = false;
    this.problems = [];
    this.failure = null;
    this.justSaved = false;
  }
}
