/**
 * The model list shared by every model picker (Edit, Batch, Train, Models). Any page that adds,
 * renames or deletes a model calls refreshModels() and every picker follows.
 */
import { api, type ModelSummary } from '../api';
import { errorMessage } from './toasts.svelte';

export const models = $state<ModelSummary[]>([]);
export const modelsStatus = $state<{ loading: boolean; loaded: boolean; error: string }>({ loading: false, loaded: false, error: '' });

let inFlight: Promise<void> | undefined;

/** Reloads the list from the engine; concurrent calls share one request. */
export function refreshModels(): Promise<void> {
  if (inFlight) return inFlight;
  modelsStatus.loading = true;
  inFlight = api
    .listModels()
    .then((list) => {
      models.splice(0, models.length, ...list);
      modelsStatus.loaded = true;
      modelsStatus.error = '';
    })
    .catch((e: unknown) => {
      modelsStatus.error = errorMessage(e);
    })
    .finally(() => {
      modelsStatus.loading = false;
      inFlight = undefined;
    });
  return inFlight;
}

/** Loads the list once (the first page that needs it). */
export function ensureModels(): Promise<void> {
  return modelsStatus.loaded ? Promise.resolve() : refreshModels();
}
