/**
 * What the desktop app's main process accepts on each IPC channel (app/ipc-contract.ts names
 * them): the shared request schemas, wrapped as the preload sends them. app/validate.ts checks
 * every payload against this map before a handler sees it; ipc-contract.ts derives the payload
 * types from it.
 */
import * as v from 'valibot';
import { LIMITS } from '../api.js';
import { bytes, fileName, fsPath, modelId, workspaceId } from './fields.js';
import { JobSpecSchema } from './jobs.js';
import { BatchPresetSchema, presetName } from './presets.js';
import { CompareSchema, ExportOptionsSchema, OpenPathSchema, RenameModelSchema } from './requests.js';

const empty = v.strictObject({});
const upload = bytes(LIMITS.maxUploadBytes);
const model = v.strictObject({ id: modelId });

export const IPC_PAYLOAD_SCHEMAS = {
  'mend:info': empty,
  /** An image the user dropped, picked or pasted, as bytes: the window never names a path to open. */
  'mend:add-image-bytes': v.strictObject({ name: fileName, data: upload }),
  /** A path the user was shown before (a dialog, a file opened with the app, a granted folder). */
  'mend:open-path': OpenPathSchema,
  'mend:remove-image': v.strictObject({ id: workspaceId }),
  'mend:compare': CompareSchema,
  'mend:browse': v.strictObject({ path: v.optional(fsPath) }),
  'mend:job-start': v.strictObject({ id: workspaceId, spec: JobSpecSchema }),
  'mend:job-control': v.strictObject({ id: workspaceId, action: v.picklist(['cancel', 'pause', 'resume'] as const, 'must be cancel, pause or resume') }),
  'mend:export-image': v.strictObject({ opts: ExportOptionsSchema }),
  'mend:list-models': empty,
  'mend:model-details': model,
  'mend:rename-model': v.strictObject({ id: modelId, ...RenameModelSchema.entries }),
  'mend:delete-model': model,
  'mend:import-model-bytes': v.strictObject({ name: fileName, data: upload }),
  'mend:export-model': model,
  /** Batch presets (core/batch/presets.ts), shared with `mend batch --preset`. */
  'mend:list-presets': empty,
  'mend:save-preset': v.strictObject({ preset: BatchPresetSchema }),
  'mend:delete-preset': v.strictObject({ name: presetName }),
  'mend:choose-folder': v.strictObject({ purpose: v.picklist(['input', 'output', 'train'] as const, 'must be input, output or train') }),
  /** The page listens for opened images now: main sends what it queued before the page was ready. */
  'mend:ready': empty,
} as const;
