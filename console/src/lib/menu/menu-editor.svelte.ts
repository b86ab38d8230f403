import type { Menu } from '../../../../orders/menu.js';
import { toApiError, type ApiError } from '../campaigns/admin-api.js';
import { draftFromMenu, emptyMenuDraft, type MenuDraft } from './draft.js';
import { pastSpecialKeys } from './draft-edits.js';
import { draftSignature } from './draft-signature.js';
import { formFieldOf, isFieldOnForm } from './error-paths.js';
import { localDateIn } from './local-date.js';
import type { MenuApi, SavedMenu } from './menu-api.js';
import { buildMenu, type MenuProblem } from './menu-body.js';
import { readMenuTruck, saveMenuTruck } from './menu-truck.js';
import { PrepTimeEditor } from './prep-time-editor.svelte.js';
import { daySalesOf, type DaySales } from './special-sales.js';

/** State shown in the editor's status line: the draft compared with the menu last saved. */
export type MenuStatus = 'loading' | 'saving' | 'unsaved' | 'saved' | 'none';

/**
 * The menu editor of one truck: the draft on the form, the menu as last saved, and the
 * saves. The console keeps it while signed in, so edits survive a switch to another view,
 * and it confirms with the user before a reload or sign-out drops unsaved ones.
 */
export class MenuEditor {
  truckId = $state<string | null>(null);
  /** Set when the truck changed or the view opened with nothing unsaved: the view then runs `load`. */
  needsLoad = $state(true);
  /** The truck's local date, which decides which specials are past: the public menu's date, else the date in the truck's time zone. */
  today = $state(localDateIn(undefined));
  draft = $state<MenuDraft>(emptyMenuDraft());
  /** The menu as last saved, or null while the truck has none. */
  saved = $state.raw<Menu | null>(null);
  /** ISO 8601 time of the last save. */
  updatedAt = $state<string | null>(null);
  loading = $state(false);
  loadError = $state<string | null>(null);
  saving = $state(false);
  problems = $state.raw<MenuProblem[]>([]);
  /** A failed save whose cause the form cannot show next to a field. */
  failure = $state<string | null>(null);
  /** True after a save was refused because another editor saved the menu since it was loaded. */
  staleVersion = $state(false);
  /** Specials sold today, from the public menu. Null when it has none or could not be read. */
  sales = $state.raw<DaySales | null>(null);
  salesError = $state<string | null>(null);
  /** Keys of the items whose sold-out save is running. */
  soldOutPending = $state.raw<ReadonlySet<string>>(new Set());
  /** Failed sold-out saves by item key, with the reason. */
  soldOutFailures = $state.raw<ReadonlyMap<string, string>>(new Map());
  /** The kitchen's preparation time, loaded with the menu and saved on its own. */
  readonly prepTime = new PrepTimeEditor();

  #savedSignature = $state(draftSignature(emptyMenuDraft()));
  #load: AbortController | null = null;
  /** Counts truck changes and sign-outs, so a reply that arrives after one is dropped. */
  #resets = 0;
  /** Sold-out saves run one after another, each on the menu the one before saved. */
  #soldOutQueue: Promise<void> = Promise.resolve();

  dirty = $derived(draftSignature(this.draft) !== this.#savedSignature);
  status: MenuStatus = $derived.by(() => {
    if (this.loading) return 'loading';
    if (this.saving) return 'saving';
    if (this.dirty) return 'unsaved';
    return this.saved ? 'saved' : 'none';
  });
  /** Keys of the past specials, which the form hides. They are taken again whenever the draft is replaced. */
  hiddenSpecials = $state.raw<ReadonlySet<string>>(new Set());
  /** Problems without a control on the form, shown above it with their field path. */
  unplacedProblems = $derived(this.problems.filter((problem) => !isFieldOnForm(problem.field, this.draft, this.hiddenSpecials)));

  constructor(truckId: string | null = readMenuTruck()) {
    this.truckId = truckId;
  }

  /** Shows another truck's menu, or none, and remembers the choice. Unsaved edits are dropped, so the view confirms first. */
  selectTruck(truckId: string | null): void {
    if (truckId === this.truckId) return;
    this.truckId = truckId;
    saveMenuTruck(truckId);
    this.#reset();
  }

  /** Requests a fresh load when nothing is unsaved, so the view shows what other windows saved and today's sales. */
  requestLoad(): void {
    if (!this.dirty && !this.saving && this.soldOutPending.size === 0) this.needsLoad = true;
  }

  /** Loads the truck's menu and today's sales. A truck without a menu starts from an empty one in US dollars. */
  async load(api: MenuApi, timeZone: string | undefined): Promise<void> {
    const truckId = this.truckId;
    this.needsLoad = false;
    if (truckId === null) return;
    this.#load?.abort();
    const controller = new AbortController();
    this.#load = controller;
    this.loading = true;

    try {
      const [saved] = await Promise.all([api.getMenu(truckId, controller.signal), this.#loadSales(api, truckId, controller.signal)]);
      if (this.#load !== controller) return;
      this.today = this.sales?.date ?? localDateIn(timeZone);
      this.#setSaved(saved);
      this.#replaceDraft(saved ? draftFromMenu(saved.menu) : emptyMenuDraft());
      this.prepTime.setStored(saved?.prepTime ?? null);
      this.problems = [];
      this.failure = null;
      this.staleVersion = false;
      this.soldOutFailures = new Map();
      this.loadError = null;
    } catch (error) {
      if (this.#load !== controller) return;
      this.loadError = toApiError(error).message;
    } finally {
      if (this.#load === controller) {
        this.#load = null;
        this.loading = false;
      }
    }
  }

  /**
   * Saves the draft with a PUT of the whole menu. Problems the form finds, and the field
   * the server rejects, are shown next to their field, and the draft stays as typed.
   * Returns whether the menu was saved.
   */
  async save(api: MenuApi): Promise<boolean> {
    const truckId = this.truckId;
    if (truckId === null || this.saving || this.soldOutPending.size > 0) return false;
    this.failure = null;
    this.staleVersion = false;
    const built = buildMenu(this.draft);
    if (!built.ok) {
      this.problems = built.problems;
      return false;
    }

    this.saving = true;
    const resets = this.#resets;
    try {
      const saved = await api.putMenu(truckId, built.menu, this.updatedAt);
      if (resets !== this.#resets) return false;
      this.#setSaved(saved);
      // The form is disabled while saving, so replacing the draft loses no typing, and the new draft carries the stored ids.
      this.#replaceDraft(draftFromMenu(saved.menu));
      this.problems = [];
      void this.#loadSales(api, truckId);
      // The reply of a menu save has no preparation time, and the server stores its defaults with the first menu.
      if (this.prepTime.saved === null) void this.#loadPrepTime(api, truckId);
      return true;
    } catch (error) {
      if (resets === this.#resets) this.#reject(toApiError(error));
      return false;
    } finally {
      if (resets === this.#resets) this.saving = false;
    }
  }

  /** Saves the preparation time. The server keeps it with the menu, so it waits until the menu was saved once. */
  async savePrepTime(api: MenuApi): Promise<boolean> {
    if (this.truckId === null || this.saved === null) return false;
    return this.prepTime.save(api, this.truckId);
  }

  /**
   * Flips an item's sold-out flag, and for an item already saved, saves it at once with a
   * PATCH of that flag alone, so other unsaved edits stay in the draft and other editors'
   * saves stay in the menu. A failed save sets the flag back and is kept for the item's row.
   */
  async setSoldOut(api: MenuApi, itemKey: string, soldOut: boolean): Promise<void> {
    const item = this.draft.items.find((candidate) => candidate.key === itemKey);
    const truckId = this.truckId;
    if (!item || truckId === null || this.soldOutPending.has(itemKey)) return;
    item.soldOut = soldOut;
    const failures = new Map(this.soldOutFailures);
    failures.delete(itemKey);
    this.soldOutFailures = failures;
    if (!this.saved?.items.some((saved) => saved.id === item.id)) return;

    const itemId = item.id;
    const resets = this.#resets;
    this.soldOutPending = new Set(this.soldOutPending).add(itemKey);
    const run = this.#soldOutQueue.then(async () => {
      if (resets !== this.#resets || !this.saved) return;
      const expected = withItemSoldOut(this.saved, itemId, soldOut);
      try {
        const saved = await api.setItemSoldOut(truckId, itemId, soldOut);
        if (resets !== this.#resets) return;
        if (sameMenu(saved.menu, expected)) {
          this.#setSaved(saved);
        } else {
          // Another editor saved in between: keep this view's version, so its next Save gets 409
          // instead of undoing their save, and record only the flip.
          this.#setSaved({ menu: expected, updatedAt: this.updatedAt ?? saved.updatedAt });
        }
      } catch (error) {
        if (resets !== this.#resets) return;
        const current = this.draft.items.find((candidate) => candidate.key === itemKey);
        if (current && current.soldOut === soldOut) current.soldOut = !soldOut;
        this.soldOutFailures = new Map(this.soldOutFailures).set(itemKey, toApiError(error).message);
      }
    });
    this.#soldOutQueue = run;
    await run;

    if (resets !== this.#resets) return;
    const pending = new Set(this.soldOutPending);
    pending.delete(itemKey);
    this.soldOutPending = pending;
  }

  /**
   * Takes the truck's time zone once the live feed has it, when the public menu gave no
   * date. Past specials are hidden again only while nothing is unsaved, so no row being
   * edited disappears.
   */
  setTimeZone(timeZone: string | undefined): void {
    if (timeZone === undefined || this.sales !== null) return;
    this.today = localDateIn(timeZone);
    if (!this.dirty) this.hiddenSpecials = pastSpecialKeys(this.draft, this.today);
  }

  /** Drops unsaved edits: the draft becomes the menu as last saved. */
  discard(): void {
    this.#replaceDraft(this.saved ? draftFromMenu(this.saved) : emptyMenuDraft());
    this.problems = [];
    this.failure = null;
  }

  problemsOf(field: string): MenuProblem[] {
    return this.problems.filter((problem) => problem.field === field);
  }

  /** Removes the problems of a field once it is edited, and those of every field when rows are added, moved or removed, as their paths move. */
  clearProblems(field?: string): void {
    if (this.problems.length === 0) return;
    this.problems = field === undefined ? [] : this.problems.filter((problem) => problem.field !== field);
  }

  /** Forgets the menu on sign-out. The truck choice stays for the next sign-in. */
  clear(): void {
    this.#reset();
  }

  async #loadSales(api: MenuApi, truckId: string, signal?: AbortSignal): Promise<void> {
    const resets = this.#resets;
    try {
      const published = await api.getPublishedMenu(truckId, signal);
      if (resets !== this.#resets) return;
      this.sales = published ? daySalesOf(published) : null;
      this.salesError = null;
    } catch (error) {
      if (resets !== this.#resets || signal?.aborted) return;
      // The sales are a help while editing specials, so a failure shows as a note and the editor still loads.
      this.sales = null;
      this.salesError = toApiError(error).message;
    }
  }

  async #loadPrepTime(api: MenuApi, truckId: string): Promise<void> {
    const resets = this.#resets;
    try {
      const stored = await api.getMenu(truckId);
      if (resets === this.#resets) this.prepTime.setStored(stored?.prepTime ?? null);
    } catch (error) {
      // The fields stay empty but usable, so the staff can type both values and save them.
      console.warn(`Reading the preparation time of truck ${truckId} failed; its fields stay empty until the next load.`, toApiError(error));
    }
  }

  #replaceDraft(draft: MenuDraft): void {
    this.draft = draft;
    this.hiddenSpecials = pastSpecialKeys(draft, this.today);
  }

  #setSaved(saved: SavedMenu | null): void {
    this.saved = saved?.menu ?? null;
    this.updatedAt = saved?.updatedAt ?? null;
    this.#savedSignature = draftSignature(saved ? draftFromMenu(saved.menu) : emptyMenuDraft());
  }

  #reject(error: ApiError): void {
    this.staleVersion = error.status === 409 && error.field === 'If-Match';
    if (this.staleVersion) {
      this.problems = [];
      this.failure = null;
      return;
    }
    const field = error.field === undefined ? null : formFieldOf(error.field, this.draft, this.hiddenSpecials);
    this.problems = field === null ? [] : [{ field, serverMessage: error.message }];
    this.failure = field === null ? error.message : null;
  }

  #reset(): void {
    this.#resets += 1;
    this.#load?.abort();
    this.#load = null;
    this.#soldOutQueue = Promise.resolve();
    this.needsLoad = true;
    this.loading = false;
    this.loadError = null;
    this.saving = false;
    this.#setSaved(null);
    this.#replaceDraft(emptyMenuDraft());
    this.problems = [];
    this.failure = null;
    this.sales = null;
    this.salesError = null;
    this.soldOutPending = new Set();
    this.soldOutFailures = new Map();
    this.prepTime.reset();
  }
}

/** Returns a copy of the menu with one item's sold-out flag set. */
function withItemSoldOut(menu: Menu, itemId: string, soldOut: boolean): Menu {
  return { ...menu, items: menu.items.map((item) => (item.id === itemId ? { ...item, soldOut } : item)) };
}

/** Compares two menus as JSON values: the store may return object keys in another order. */
function sameMenu(a: Menu, b: Menu): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => compareKeys(a, b));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Orders object keys by code unit, as the same menu must always give the same text. */
function compareKeys(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}
