/** Training checkpoints: model + Adam state + step, so `--resume` continues where it stopped. */
import { mkdir, readFile, rename, writeFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ModelCard } from '../models/card.js';
import { loadModelFolder, saveModelFolder } from '../models/store.js';

export interface CheckpointState {
  step: number;
  /** Training seconds spent before this checkpoint (summed over resumed runs). */
  elapsedSeconds: number;
  lastLoss?: number;
  lastValPsnr?: number;
}

export const checkpointDir = (out: string): string => path.join(out, 'checkpoint');

export function hasCheckpoint(out: string): boolean {
  return existsSync(path.join(checkpointDir(out), 'state.json'));
}

export async function saveCheckpoint(
  out: string,
  model: tf.LayersModel,
  card: ModelCard,
  optimizer: tf.Optimizer,
  state: CheckpointState,
): Promise<void> {
  // Written to a fresh folder, then swapped in: a crash mid-save keeps the previous checkpoint.
  const dir = checkpointDir(out);
  const tmp = `${dir}.mend-tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await saveModelFolder(tmp, model, card);
  const named = await optimizer.getWeights();
  const { data, specs } = await tf.io.encodeWeights(named);
  await writeFile(path.join(tmp, 'optimizer.bin'), new Uint8Array(data as ArrayBuffer));
  await writeFile(path.join(tmp, 'optimizer.json'), JSON.stringify(specs));
  await writeFile(path.join(tmp, 'state.json'), JSON.stringify(state, null, 2));
  const old = `${dir}.mend-old`;
  await rm(old, { recursive: true, force: true });
  if (existsSync(dir)) await rename(dir, old);
  await rename(tmp, dir);
  await rm(old, { recursive: true, force: true });
}

export async function loadCheckpoint(
  out: string,
  optimizer: tf.Optimizer,
): Promise<{ model: tf.LayersModel; card: ModelCard; state: CheckpointState }> {
  const dir = checkpointDir(out);
  const { model, card } = await loadModelFolder(dir);
  const specs = JSON.parse(await readFile(path.join(dir, 'optimizer.json'), 'utf8')) as tf.io.WeightsManifestEntry[];
  const buf = await readFile(path.join(dir, 'optimizer.bin'));
  const map = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), specs);
  await optimizer.setWeights(specs.map((s) => ({ name: s.name, tensor: map[s.name] })));
  const state = JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as CheckpointState;
  return { model, card, state };
}
