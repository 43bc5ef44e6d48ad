// Before/after crops of real camera noise at 100% for docs/real-noise.png: for each named photo, a
// crop of the noisy input, Mend's blind default, and (where there is one) the clean reference.
// Usage: npm run build; node scripts/real-noise-crops.mjs OUT.png CROP... where CROP is
// NOISY[,CLEAN],X,Y,SIZE (CLEAN may be left empty).
import sharp from 'sharp';
import { readImage } from '../dist/src-main/core/image/io.js';
import { quantize8 } from '../dist/src-main/core/metrics/psnr.js';
import { resolveModel } from '../dist/src-main/core/models/registry.js';
import { denoiseRaster } from '../dist/src-main/core/infer/denoise.js';
import { initBackend } from '../dist/src-main/core/runtime/backend.js';

await initBackend();
const [out, ...crops] = process.argv.slice(2);
const SCALE = 2; // each crop shown at 200% so the grain is visible on a page
const rows = [];
for (const spec of crops) {
  const [noisyPath, cleanPath, xs, ys, ss] = spec.split(',');
  const [x, y, size] = [xs, ys, ss].map(Number);
  const { raster } = await readImage(noisyPath);
  const model = await resolveModel(undefined, 'denoise', raster.channels);
  const res = await denoiseRaster(raster, model);
  const panels = [raster, quantize8(res.output)];
  if (cleanPath) panels.push((await readImage(cleanPath)).raster);
  const tiles = [];
  for (const r of panels) {
    const bytes = Buffer.from(Array.from(r.data, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)));
    tiles.push(await sharp(bytes, { raw: { width: r.width, height: r.height, channels: r.channels } })
      .extract({ left: x, top: y, width: size, height: size }).resize(size * SCALE, size * SCALE, { kernel: 'nearest' })
      .toColourspace('srgb').png().toBuffer());
  }
  rows.push({ tiles, size: size * SCALE });
  console.log(`${noisyPath}: amount ${res.amount} (${res.noise})`);
}
const gap = 8;
const width = Math.max(...rows.map((r) => r.tiles.length * (r.size + gap) - gap));
const height = rows.reduce((h, r) => h + r.size + gap, -gap);
const composites = [];
let top = 0;
for (const r of rows) {
  r.tiles.forEach((t, i) => composites.push({ input: t, left: i * (r.size + gap), top }));
  top += r.size + gap;
}
await sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite(composites).png().toFile(out);
