/**
 * The models a batch uses (loaded once per image kind, grey or colour) and the settings key the
 * journal compares: a file is "already done" only when the same model bytes and the same output
 * settings would make it again.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { canHold16 } from '../image/formats.js';
import { DEFAULT_TILE } from '../infer/run-model.js';
import { resolveModel } from '../models/registry.js';
import type { LoadedModel } from '../models/store.js';
import { denoiseSettingsKey } from './denoise-file.js';
import type { BatchSettingsKey } from './journal.js';
import type { PlanItem } from './plan.js';
import type { BatchOptions } from './types.js';

/** Bumped when the same settings would give different output bytes (part of the journal's settings). */
export const BATCH_ENGINE_VERSION = 1;

/** sha256 of a model folder's topology and weights (cached): a retrained model under the same id differs. */
const modelHashes = new Map<string, Promise<string>>();
export function modelHash(loaded: LoadedModel): Promise<string> {
  let p = modelHashes.get(loaded.dir);
  if (!p) {
    p = (async () => {
      const h = createHash('sha256');
      for (const f of ['model.json', 'weights.bin']) {
        try {
          h.update(await readFile(path.join(loaded.dir, f)));
        } catch {
          h.update(`missing ${f}`);
        }
      }
      return h.digest('hex');
    })();
    modelHashes.set(loaded.dir, p);
  }
  return p;
}

/** The batch's model for each image kind, resolved on first use. */
export class BatchModels {
  private readonly models = new Map<number, Promise<LoadedModel>>();

  constructor(private readonly options: Pick<BatchOptions, 'model' | 'task'>) {}

  forChannels(channels: number): Promise<LoadedModel> {
    const key = channels === 1 ? 1 : 3;
    let p = this.models.get(key);
    if (!p) {
      p = resolveModel(this.options.model, this.options.task ?? 'denoise', key);
      this.models.set(key, p);
    }
    return p;
  }
}

/** The journal's settings key for one file. */
export async function batchSettings(o: BatchOptions, model: LoadedModel, item: PlanItem, maskHash: string | undefined): Promise<BatchSettingsKey> {
  const task = o.task ?? 'denoise';
  return {
    task,
    model: model.card.id,
    modelCreated: model.card.created,
    modelHash: await modelHash(model),
    ...(task === 'denoise' ? denoiseSettingsKey(o) : { maskHash }),
    format: item.outputFormat,
    // Only what the encoder uses: quality for lossy formats, depth for PNG/TIFF.
    quality: item.outputFormat === 'png' || item.outputFormat === 'tiff' ? null : (o.quality ?? null),
    depth: item.outputFormat !== 'dng' && canHold16(item.outputFormat) ? (o.depth ?? null) : null,
    keepMetadata: o.keepMetadata ?? true,
    tile: o.tileSize ?? DEFAULT_TILE,
    engine: BATCH_ENGINE_VERSION,
  };
}
