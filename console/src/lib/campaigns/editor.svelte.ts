import type { MessageKey } from '../messages/index.js';
import { toApiError, type AdminApi, type ApiError } from './admin-api.js';
import { checkDraft } from './draft-check.js';
import { attachSegmentIds, emptyDraft, fromCampaign, toDefinition, type CampaignDraft } from './draft.js';
import { stepOfField, type EditorStep } from './editor-steps.js';
import type { Campaign, CampaignStatus } from './types.js';

/** Fields the server may name that have no control in the form, such as the status of a conflicting move. */
const FIELDS_OFF_THE_FORM: ReadonlySet<string> = new Set(['status', 'id', '(body)']);

/** A problem shown next to a field: one the editor found, or the server's rejection of that field. */
export type FieldProblem = { field: string; key: MessageKey } | { field: string; serverMessage: string };

/**
 * One campaign in the editor: the form model, the campaign as last stored, and the
 * problems of the last save. A new campaign is created as a draft on the first save
 * and replaced with PUT after that, for as long as it stays a draft.
 */
export class CampaignEditorState {
  draft = $state<CampaignDraft>(emptyDraft());
  /** The campaign as stored; null until a new campaign is first saved. */
  campaign = $state.raw<Campaign | null>(null);
  step = $state<EditorStep>('goal');
  loading = $state(false);
  busy = $state(false);
  problems = $state.raw<FieldProblem[]>([]);
  /** The server's or the network's last error, shown above the form. */
  failure = $state.raw<ApiError | null>(null);

  #savedDefinition = $state('');

  /** Only a draft can be changed; a scheduled campaign is unscheduled first. */
  editable = $derived(this.campaign === null || this.campaign.status === 'draft');
  dirty = $derived(JSON.stringify(toDefinition(this.draft)) !== this.#savedDefinition);

  readonly #api: AdminApi;

  constructor(api: AdminApi) {
    this.#api = api;
  }

  /** Loads a stored campaign and its templates into the form. */
  async load(id: string): Promise<void> {
    this.loading = true;
    try {
      const { campaign, templates } = await this.#api.getCampaign(id);
      this.draft = fromCampaign(campaign, templates);
      this.#stored(campaign);
    } catch (error) {
      this.failure = toApiError(error);
    } finally {
      this.loading = false;
    }
  }

  /**
   * Saves the form as a draft: POST the first time, PUT after. Returns false, with the
   * problems set and the step showing the first of them, when the draft is incomplete
   * or the server rejects it.
   */
  async save(): Promise<boolean> {
    const found = checkDraft(this.draft);
    if (found.length > 0) {
      this.#show(found, null);
      return false;
    }

    this.busy = true;
    try {
      const definition = toDefinition(this.draft);
      const campaign = this.campaign
        ? await this.#api.updateCampaign(this.campaign.id, definition)
        : await this.#api.createCampaign(definition);
      this.#stored(campaign);
      return true;
    } catch (error) {
      this.#reject(toApiError(error));
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** Moves the stored campaign to `status`. A draft with unsaved changes is saved before it is scheduled. */
  async changeStatus(status: CampaignStatus): Promise<boolean> {
    if (this.campaign === null || (this.editable && this.dirty && status !== 'ended')) {
      if (!(await this.save())) return false;
    }
    const id = this.campaign!.id;

    this.busy = true;
    try {
      const campaign = await this.#api.setStatus(id, status);
      this.campaign = campaign;
      this.problems = [];
      this.failure = null;
      return true;
    } catch (error) {
      this.#reject(toApiError(error));
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** Reads the stored campaign again, such as after an import changed its member counts, and leaves the form as it is. */
  async refreshCampaign(): Promise<void> {
    if (this.campaign === null) return;
    try {
      const { campaign } = await this.#api.getCampaign(this.campaign.id);
      this.campaign = campaign;
      attachSegmentIds(this.draft, campaign);
    } catch (error) {
      this.failure = toApiError(error);
    }
  }

  /** Returns the problems shown next to `field`. */
  problemsOf(field: string): FieldProblem[] {
    return this.problems.filter((problem) => problem.field === field);
  }

  #stored(campaign: Campaign): void {
    this.campaign = campaign;
    attachSegmentIds(this.draft, campaign);
    this.#savedDefinition = JSON.stringify(toDefinition(this.draft));
    this.problems = [];
    this.failure = null;
  }

  #reject(error: ApiError): void {
    const onForm = error.field !== undefined && !FIELDS_OFF_THE_FORM.has(error.field);
    this.#show(onForm ? [{ field: error.field!, serverMessage: error.message }] : [], error);
  }

  #show(problems: FieldProblem[], failure: ApiError | null): void {
    this.problems = problems;
    this.failure = failure;
    const first = problems[0];
    if (first) this.step = stepOfField(first.field);
  }
}
