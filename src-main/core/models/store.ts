/**
 * Model folders: TensorFlow.js layers format (model.json + weights.bin) plus card.json and a
 * human-readable card.md, and model.onnx, the same network for ONNX Runtime (onnx-export.ts).
 * Plain file I/O, so it works without tfjs-node's file:// handler.
 *
 * model.onnx is derived from the weights: written on save, and on load re-exported in memory
 * (a few milliseconds; the export is deterministic) and written when the file is missing or
 * differs (stale, from older weights), where the folder is writable.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { Buffer } from 'node:buffer';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MendError } from '../../shared/errors.js';
import { writeFileAtomic } from '../image/atomic-write.js';
import './layers.js';
import type { ModelCard } from './card.js';
import { renderCardMarkdown } from './card-markdown.js';
import { exportOnnx } from './onnx-export.js';

export const ONNX_FILE = 'model.onnx';

export interface LoadedModel {
  card: ModelCard;
  model: tf.LayersModel;
  dir: string;
  /** The model as ONNX (model.onnx's bytes); run-model exports it when absent. */
  onnx?: Uint8Array;
}

/** The ONNX export of a model, with the card's identity in its metadata. */
export function modelToOnnx(model: tf.LayersModel, card: ModelCard): Uint8Array {
  return exportOnnx(model, {
    docString: `${card.name}: ${card.description}`,
    metadata: { 'mend.id': card.id, 'mend.task': card.task, 'mend.arch': JSON.stringify(card.arch) },
  });
}

/** Temp name + rename (image/atomic-write.ts), so a crash never leaves half a model. */
const writeAtomic = (file: string, data: string | Uint8Array): Promise<void> =>
  writeFileAtomic(file, typeof data === 'string' ? Buffer.from(data) : data);

export async function saveModelFolder(dir: string, model: tf.LayersModel, card: ModelCard): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(artifacts.weightData as ArrayBuffer);
      await writeAtomic(path.join(dir, 'weights.bin'), weights);
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      await writeAtomic(path.join(dir, 'model.json'), JSON.stringify(json));
      await writeAtomic(path.join(dir, ONNX_FILE), modelToOnnx(model, card));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  await saveCard(dir, card);
}

export async function saveCard(dir: string, card: ModelCard): Promise<void> {
  await writeAtomic(path.join(dir, 'card.json'), JSON.stringify(card, null, 2) + '\n');
  await writeAtomic(path.join(dir, 'card.md'), renderCardMarkdown(card));
}

export async function readCard(dir: string): Promise<ModelCard> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'card.json'), 'utf8')) as ModelCard;
  } catch (e) {
    throw new MendError('model', `${dir}: not a Mend model folder (card.json missing or unreadable)`, { cause: e });
  }
}

export async function loadModelFolder(dir: string): Promise<LoadedModel> {
  const card = await readCard(dir);
  try {
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    const weights = await readFile(path.join(dir, 'weights.bin'));
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      }),
    );
    checkFiniteWeights(dir, model);
    return { card, model, dir, onnx: await ensureOnnxFile(dir, model, card) };
  } catch (e) {
    if (e instanceof MendError) throw e;
    throw new MendError('model', `${dir}: the model weights could not be loaded (${(e as Error).message.split('\n')[0]})`, { cause: e });
  }
}

/**
 * Throws MendError 'model' when a weight is NaN or infinite: such a model (a diverged training
 * run, a damaged file) turns every photo black or NaN, and eval would score it "NaN dB".
 */
function checkFiniteWeights(dir: string, model: tf.LayersModel): void {
  for (const w of model.weights) {
    const values = w.read().dataSync();
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        throw new MendError('model', `${dir}: the model's weights are broken (${w.name} holds ${values[i]}); retrain it or use another model`);
      }
    }
  }
}

/** Exports the model and writes model.onnx if it is missing or stale; a read-only folder keeps the export in memory. */
async function ensureOnnxFile(dir: string, model: tf.LayersModel, card: ModelCard): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = modelToOnnx(model, card);
  } catch (e) {
    throw new MendError('model', `${dir}: the model could not be converted to ONNX (${(e as Error).message.split('\n')[0]})`, { cause: e });
  }
  const file = path.join(dir, ONNX_FILE);
  const existing = await readFile(file).catch(() => undefined);
  if (!existing || !Buffer.from(bytes).equals(existing)) {
    await writeAtomic(file, bytes).catch(() => undefined);
  }
  return bytes;
}
