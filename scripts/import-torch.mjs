// Turns the output of scripts/train_torch.py (GPU training in PyTorch) into a Mend model folder:
// weights set by convolution name (core/models/import-weights.ts), a card with the training record
// (the exact python command, wall time, patches/s, device), model.onnx. Score it afterwards with
// `mend eval --model OUT_DIR --data ... --record`.
// Usage: npm run build; node scripts/import-torch.mjs EXPORT.json[.gz] OUT_DIR ID NAME DESCRIPTION
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { flopsPerPixel } from '../dist/src-main/core/models/architectures.js';
import { modelFromExport } from '../dist/src-main/core/models/import-weights.js';
import { saveModelFolder } from '../dist/src-main/core/models/store.js';
import { initBackend } from '../dist/src-main/core/runtime/backend.js';

const [file, outDir, id, name, description] = process.argv.slice(2);
if (!file || !outDir || !id || !name || !description) {
  console.error('usage: node scripts/import-torch.mjs EXPORT.json OUT_DIR ID NAME DESCRIPTION');
  process.exit(2);
}
await initBackend();
const raw = await readFile(file);
const exp = JSON.parse((file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8'));
const model = modelFromExport(exp);
const [lo, hi] = exp.noise.replace(/^gaussian:/, '').split('-').map(Number);
const lastPsnr = exp.lossLog.at(-1)?.[2];
await saveModelFolder(outDir, model, {
  id,
  name,
  description,
  task: 'denoise',
  channels: exp.arch.channels,
  arch: exp.arch,
  sigmaRange: [lo, hi ?? lo],
  flopsPerPixel: flopsPerPixel(model),
  params: model.countParams(),
  // A model folder it started from is recorded; its own checkpoint (.json/.json.gz) is not another model.
  ...(exp.init && !/\.json(\.gz)?$/.test(exp.init) ? { initFrom: exp.init.split('/').filter(Boolean).at(-1) } : {}),
  training: {
    command: exp.command,
    data: exp.data.join(' + '),
    images: exp.images,
    steps: exp.steps,
    batch: exp.batch,
    patch: exp.patch,
    noise: exp.noise,
    wallSeconds: exp.wallSeconds,
    patchesPerSecond: exp.patchesPerSecond,
    backend: exp.backend,
    ...(lastPsnr === undefined ? {} : { finalLoss: 10 ** (-lastPsnr / 10) }),
  },
  created: new Date().toISOString(),
});
console.log(`${outDir}: ${id}, ${flopsPerPixel(model)} FLOP/px, ${model.countParams()} parameters, ${exp.steps} steps in ${exp.wallSeconds} s on ${exp.backend}`);
