// Channel pruning of a residual (DnCNN-like) denoiser, grayscale or colour: a narrower model that
// starts from the wider one's most useful channels (core/models/prune.ts, scored on noisy crops of
// the training images), to be fine-tuned with `mend train --init OUT_DIR`.
// Usage: npm run build; node scripts/prune-residual.mjs MODEL DATA_DIR WIDTH OUT_DIR
// (e.g. color-denoise DATA/train/color432 28 scratch/color-28)
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readImage } from '../dist/src-main/core/image/io.js';
import { flopsPerPixel } from '../dist/src-main/core/models/architectures.js';
import { channelImportance, pruneResidual, topChannels } from '../dist/src-main/core/models/prune.js';
import { listModels } from '../dist/src-main/core/models/registry.js';
import { loadModelFolder, saveModelFolder } from '../dist/src-main/core/models/store.js';
import { initBackend } from '../dist/src-main/core/runtime/backend.js';

const [modelId, dataDir, widthText, outDir] = process.argv.slice(2);
const width = Number(widthText);
if (!modelId || !dataDir || !Number.isInteger(width) || width < 1 || !outDir) {
  console.error('usage: node scripts/prune-residual.mjs MODEL DATA_DIR WIDTH OUT_DIR');
  process.exit(2);
}
await initBackend();
const dir = existsSync(path.join(modelId, 'card.json')) ? modelId : (await listModels()).find((m) => m.id === modelId)?.dir;
if (!dir) {
  console.error(`unknown model ${modelId}`);
  process.exit(2);
}
const { card, model } = await loadModelFolder(dir);
const channels = card.channels;
if (card.arch.kind !== 'residual' || card.arch.conditioning !== 'noise-map') {
  console.error(`${card.id}: only residual models with a noise-map input are supported`);
  process.exit(2);
}
if (width >= card.arch.width) {
  console.error(`${card.id} has width ${card.arch.width}; WIDTH must be smaller`);
  process.exit(2);
}
// 64 noisy 96x96 crops of the training images, noise levels spread over the model's range.
const files = (await readdir(dataDir)).filter((f) => /\.(png|jpe?g|tiff?|webp)$/i.test(f)).sort();
const side = 96;
const [lo, hi] = card.sigmaRange ?? [0, 55];
// Its own small generator, not core's Rng, on purpose: the cards of the pruned models (color-fast,
// color-lite, gray-lite) name this script, and another generator would pick other crops.
let seed = 1;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
const inputs = [];
for (let n = 0; inputs.length < 64; n++) {
  const { raster } = await readImage(path.join(dataDir, files[(n * 7919) % files.length]));
  if (raster.width < side || raster.height < side) continue;
  const left = Math.floor(rnd() * (raster.width - side));
  const top = Math.floor(rnd() * (raster.height - side));
  const sigma = (lo + ((hi - lo) * inputs.length) / 63) / 255;
  const x = new Float32Array(side * side * (channels + 1));
  for (let y = 0; y < side; y++) {
    for (let xx = 0; xx < side; xx++) {
      const src = ((top + y) * raster.width + left + xx) * raster.channels;
      for (let c = 0; c < channels; c++) {
        const g = Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
        // Colour models see grey pictures as grey colour; grayscale models the first channel.
        x[(y * side + xx) * (channels + 1) + c] = raster.data[src + (raster.channels === 1 ? 0 : c)] + sigma * g;
      }
      x[(y * side + xx) * (channels + 1) + channels] = sigma;
    }
  }
  inputs.push(tf.tensor4d(x, [1, side, side, channels + 1]));
}
const arch = { ...card.arch, width };
const narrow = pruneResidual(model, arch, topChannels(channelImportance(model, inputs), width));
const { training: _t, eval: _e, ...rest } = card;
await saveModelFolder(outDir, narrow, {
  ...rest,
  id: `${card.id}-w${width}`,
  name: `${card.name} (pruned to width ${width})`,
  arch,
  flopsPerPixel: flopsPerPixel(narrow),
  params: narrow.countParams(),
  initFrom: card.id,
  created: new Date().toISOString(),
});
console.log(`${outDir}: width ${card.arch.width} -> ${width}, ${card.flopsPerPixel} -> ${flopsPerPixel(narrow)} FLOP/px`);
