// Before/after crops of object removals (docs/inpainting.md): per row the photo with the mask in
// red, the smooth pipeline alone (synthesis off, as before issue 22) and the default with wide
// holes synthesized. Two generated scenes (fence posts in front of a board wall, a sign on a
// brick wall) and removals on photos given on the command line, each PHOTO@SHAPE[+SHAPE...] with
// SHAPE r:X,Y,W,H (a rectangle grown by 4 px) or e:CX,CY,RX,RY (an ellipse).
// Usage: npm run build; node scripts/inpaint-removal-crops.mjs OUT.png [PHOTO@SHAPES ...]
// (e.g. McMaster/18.tif@r:139,62,56,36 for the bridge's name board)
import sharp from 'sharp';
import { Rng } from '../dist/src-main/core/math/rng.js';
import { readImage } from '../dist/src-main/core/image/io.js';
import { inpaintRaster } from '../dist/src-main/core/infer/inpaint.js';
import { quantize8 } from '../dist/src-main/core/metrics/psnr.js';
import { resolveModel } from '../dist/src-main/core/models/registry.js';
import { initBackend } from '../dist/src-main/core/runtime/backend.js';

const [out, ...photos] = process.argv.slice(2);
if (!out) {
  console.error('usage: node scripts/inpaint-removal-crops.mjs OUT.png [PHOTO:CX,CY,RX,RY ...]');
  process.exit(2);
}
await initBackend();

/** A colour raster from a function of (x, y) giving [r, g, b]. */
function paint(width, height, f) {
  const data = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(f(x, y), (y * width + x) * 3);
  return { width, height, channels: 3, data };
}

/** Fence posts in front of horizontal boards with grain lines and dark gaps. */
function postsScene() {
  const rng = new Rng(11);
  const boardTone = Array.from({ length: 40 }, () => 0.85 + 0.3 * rng.next());
  const W = 480;
  const H = 320;
  const mask = new Uint8Array(W * H);
  const posts = [[150, 34], [330, 40]];
  const img = paint(W, H, (x, y) => {
    const b = Math.floor(y / 26);
    const inGap = y % 26 < 3;
    const grain = 0.05 * Math.sin(x * 0.09 + 7 * Math.sin(y * 0.35 + b) + b * 3) + 0.03 * rng.normal();
    const v = inGap ? 0.18 : 0.55 * boardTone[b] + grain;
    let rgb = [v * 1.15, v * 0.9, v * 0.65];
    for (const [px, pw] of posts) {
      if (x >= px && x < px + pw) {
        const s = 0.22 + 0.1 * ((x - px) / pw) + 0.02 * rng.normal();
        rgb = [s * 0.9, s * 0.8, s * 0.7];
      }
    }
    return rgb;
  });
  for (let y = 0; y < H; y++) for (const [px, pw] of posts) for (let x = px - 4; x < px + pw + 4; x++) mask[y * W + x] = 1;
  return { name: 'posts', img, mask, crop: [70, 20, 360, 280] };
}

/** A sign on a brick wall. */
function signScene() {
  const rng = new Rng(12);
  const W = 400;
  const H = 300;
  const tone = new Float32Array(400).map(() => 0.8 + 0.35 * rng.next());
  const img = paint(W, H, (x, y) => {
    const row = Math.floor(y / 18);
    const shift = row % 2 ? 21 : 0;
    const col = Math.floor((x + shift) / 42);
    const mortar = y % 18 < 3 || (x + shift) % 42 < 3;
    const n = 0.035 * rng.normal();
    if (mortar) return [0.62 + n, 0.6 + n, 0.56 + n];
    const t = tone[(row * 13 + col) % 400];
    return [0.55 * t + n, 0.27 * t + n, 0.2 * t + n];
  });
  const mask = new Uint8Array(W * H);
  const [sx, sy, sw, sh] = [140, 100, 130, 80];
  for (let y = sy; y < sy + sh; y++) {
    for (let x = sx; x < sx + sw; x++) {
      const text = y > sy + 20 && y < sy + 60 && (x - sx) % 16 < 10 && x > sx + 12 && x < sx + sw - 12;
      img.data.set(text ? [0.1, 0.15, 0.35] : [0.93, 0.93, 0.88], (y * W + x) * 3);
    }
  }
  for (let y = sy - 4; y < sy + sh + 4; y++) for (let x = sx - 4; x < sx + sw + 4; x++) mask[y * W + x] = 1;
  return { name: 'sign', img, mask, crop: [80, 50, 250, 180] };
}

/** Rectangles and ellipses to remove from a photo; the crop is their bounding box and 48 px. */
async function photoScene(spec) {
  const at = spec.lastIndexOf('@');
  const file = spec.slice(0, at);
  const { raster } = await readImage(file);
  const { width: W, height: H } = raster;
  const mask = new Uint8Array(W * H);
  for (const shape of spec.slice(at + 1).split('+')) {
    const [kind, nums] = shape.split(':');
    const [a, b, c, d] = nums.split(',').map(Number);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const inside = kind === 'e' ? ((x - a) / c) ** 2 + ((y - b) / d) ** 2 <= 1 : x >= a - 4 && x < a + c + 4 && y >= b - 4 && y < b + d + 4;
        if (inside) mask[y * W + x] = 1;
      }
    }
  }
  let [x0, y0, x1, y1] = [W, H, 0, 0];
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    x0 = Math.min(x0, p % W);
    x1 = Math.max(x1, p % W);
    y0 = Math.min(y0, Math.floor(p / W));
    y1 = Math.max(y1, Math.floor(p / W));
  }
  const left = Math.max(0, x0 - 48);
  const top = Math.max(0, y0 - 48);
  return { name: spec, img: raster, mask, crop: [left, top, Math.min(W, x1 + 49) - left, Math.min(H, y1 + 49) - top] };
}

const scenes = [postsScene(), signScene(), ...(await Promise.all(photos.map(photoScene)))];
const tiles = [];
let y = 0;
let width = 0;
const gap = 8;
for (const s of scenes) {
  const model = await resolveModel(undefined, 'inpaint', 3);
  const smooth = await inpaintRaster(s.img, s.mask, model, { synthesis: false, grain: false });
  const t0 = performance.now();
  const synth = await inpaintRaster(s.img, s.mask, model, { grain: false });
  console.log(`${s.name}: ${((performance.now() - t0) / 1000).toFixed(1)} s with synthesis`);
  const shown = { ...s.img, data: new Float32Array(s.img.data) };
  for (let p = 0; p < s.mask.length; p++) if (s.mask[p]) shown.data.set([0.5 * shown.data[p * 3] + 0.5, 0.5 * shown.data[p * 3 + 1], 0.5 * shown.data[p * 3 + 2]], p * 3);
  const [left, top, w, h] = s.crop;
  let x = 0;
  for (const r of [shown, smooth, synth]) {
    const q = quantize8(r);
    const bytes = Buffer.from(q.data.map((v) => Math.round(v * 255)));
    const input = await sharp(bytes, { raw: { width: q.width, height: q.height, channels: 3 } }).extract({ left, top, width: w, height: h }).png().toBuffer();
    tiles.push({ input, left: x, top: y });
    x += w + gap;
  }
  width = Math.max(width, x - gap);
  y += h + gap;
}
await sharp({ create: { width, height: y - gap, channels: 3, background: '#ffffff' } }).composite(tiles).png().toFile(out);
console.log(`wrote ${out}`);
