// Side-by-side crops of real noisy photos (RNI6, no clean reference exists): the noisy crop,
// then each model's output with --sigma auto, at 2x (nearest) so grain and blocking stay visible.
// Usage: npm run build; node scripts/rni6-crops.mjs RNI6_DIR OUT.png MODEL...
// (e.g. DATA/real/RNI6 docs/rni6-gaussian-vs-photo.png gray-denoise gray-photo)
import path from 'node:path';
import sharp from 'sharp';
import { readImage } from '../dist/src-main/core/image/io.js';
import { quantize8 } from '../dist/src-main/core/metrics/psnr.js';
import { resolveModel } from '../dist/src-main/core/models/registry.js';
import { denoiseRaster } from '../dist/src-main/core/infer/denoise.js';
import { initBackend } from '../dist/src-main/core/runtime/backend.js';

const [dir, out, ...models] = process.argv.slice(2);
if (!dir || !out || models.length === 0) {
  console.error('usage: node scripts/rni6-crops.mjs RNI6_DIR OUT.png MODEL...');
  process.exit(2);
}
await initBackend();
const crops = [
  { file: 'Building.png', left: 0, top: 0 },
  { file: 'Chupa_Chups.png', left: 75, top: 0 },
];
const side = 220;
const scale = 2;
const gap = 10;

/** A [0,1] float raster as an 8-bit PNG crop, enlarged. */
async function cropPng(raster, left, top) {
  const q = quantize8(raster);
  const bytes = Buffer.from(q.data.map((v) => Math.round(v * 255)));
  return sharp(bytes, { raw: { width: q.width, height: q.height, channels: q.channels } })
    .extract({ left, top, width: side, height: side })
    .resize(side * scale, side * scale, { kernel: 'nearest' })
    .png()
    .toBuffer();
}

const tiles = [];
for (const [row, c] of crops.entries()) {
  const { raster } = await readImage(path.join(dir, c.file));
  const columns = [await cropPng(raster, c.left, c.top)];
  for (const m of models) {
    const model = await resolveModel(m, 'denoise', raster.channels);
    const { output, sigma } = await denoiseRaster(raster, model, { sigma: 'auto' });
    console.log(`${c.file} ${m}: sigma auto ${sigma.toFixed(2)}`);
    columns.push(await cropPng(output, c.left, c.top));
  }
  columns.forEach((input, col) => tiles.push({ input, left: col * (side * scale + gap), top: row * (side * scale + gap) }));
}
const width = (models.length + 1) * (side * scale + gap) - gap;
const height = crops.length * (side * scale + gap) - gap;
await sharp({ create: { width, height, channels: 3, background: '#222' } }).composite(tiles).png().toFile(out);
console.log(`Wrote ${out}: noisy | ${models.join(' | ')}`);
