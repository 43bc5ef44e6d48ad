/**
 * Batch presets: named, saved processing settings that the Batch page and `mend batch --preset
 * NAME` both use (core/batch/presets.ts keeps them in one file). A preset holds how to process
 * and write, never what: no inputs, output folder or mask. Also the "New folder" request of the
 * web folder picker. Pure TypeScript and valibot, shared by the engine, the server and the page.
 */
import * as v from 'valibot';
import { bitDepth, fraction, modelId, num, passes, quality, sigma, text } from './fields.js';
import { BATCH_FORMATS } from './jobs.js';

/** A preset's name: 1-60 characters, a letter or digit among them (it is shown and typed). */
export const presetName = v.pipe(
  text(60, { min: 1 }),
  v.check((s: string) => /[\p{L}\p{N}]/u.test(s) && s.trim() === s, 'must have a letter or digit and no space at either end'),
);

export const BatchPresetSchema = v.strictObject({
  name: presetName,
  task: v.picklist(['denoise', 'inpaint'] as const, 'must be denoise or inpaint'),
  model: v.optional(modelId),
  /** Denoise: the noise level on the 0-255 scale (scripts); a preset made with Amount has amount instead. */
  sigma: v.optional(sigma),
  /** Denoise: the photographer's level, 0-100; absent: read from each photo. */
  amount: v.optional(num(0, 100)),
  /** Denoise: fine brightness texture given back, 0-100. */
  detail: v.optional(num(0, 100)),
  strength: v.optional(fraction),
  passes: v.optional(passes),
  format: v.optional(v.picklist(BATCH_FORMATS, `must be one of ${BATCH_FORMATS.join(', ')}`)),
  quality: v.optional(quality),
  depth: v.optional(bitDepth),
  keepMetadata: v.optional(v.boolean()),
  skipExisting: v.optional(v.boolean()),
});
export type BatchPreset = v.InferOutput<typeof BatchPresetSchema>;

/** The presets file: a version and the list. */
export const PresetFileSchema = v.object({ version: v.literal(1), presets: v.array(v.unknown()) });

/** A new folder inside `parent` (web mode's folder picker; under the roots). */
export const MakeFolderSchema = v.strictObject({
  parent: text(4096, { min: 1 }),
  name: v.pipe(
    text(255, { min: 1 }),
    v.check((s: string) => !/[/\\]/.test(s) && s !== '.' && s !== '..' && s.trim() === s && !s.startsWith('.'), 'must be a plain folder name (no slashes, not hidden)'),
  ),
});
