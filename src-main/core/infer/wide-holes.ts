/**
 * Choosing per hole: wide holes (an object to remove) get exemplar-based synthesis
 * (patch-synthesis.ts), thin and small ones (scratches, dust) keep the smooth fill and the
 * network and denoiser rounds, which beat synthesis there (a scratch's banks pin its fill down).
 */
import type { Raster } from '../image/raster.js';
import type { Steps } from '../jobs/steps.js';
import { cutCrop, cutMask, indexInCrop } from './hole-tiles.js';
import { synthesizeSteps } from './patch-synthesis.js';
import { holeDepth } from './refine.js';

/**
 * A hole is wide when some pixel of it lies this far (px) from the nearest known pixel: 16 px
 * across. On the benchmark's masks every scratch but one crossing (10.5) stays under 7.1 and every
 * dust spot under 5.4, while 65 of 66 blobs reach 9.5 to 28.
 */
export const WIDE_DEPTH = 8;

export interface WideHoles {
  /** 1 = pixel of a wide hole (synthesized). */
  wide: Uint8Array;
  /** How many pixels were synthesized. */
  count: number;
  /** The synthesized holes, each with its deepest pixel's depth (px). */
  holes: { pixels: Int32Array; x0: number; y0: number; x1: number; y1: number; depth: number }[];
}

interface Component {
  pixels: Int32Array;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  depth: number;
}

/** The 8-connected hole components. */
function components(mask: Uint8Array, depth: Float32Array, width: number, height: number): Component[] {
  const seen = new Uint8Array(mask.length);
  const out: Component[] = [];
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    const pixels: number[] = [];
    let x0 = width;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    let deepest = 0;
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      pixels.push(p);
      const x = p % width;
      const y = (p - x) / width;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
      deepest = Math.max(deepest, depth[p]!);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const X = x + dx;
          const Y = y + dy;
          if (X < 0 || Y < 0 || X >= width || Y >= height) continue;
          const q = Y * width + X;
          if (mask[q] && !seen[q]) {
            seen[q] = 1;
            stack.push(q);
          }
        }
      }
    }
    out.push({ pixels: Int32Array.from(pixels), x0, y0, x1, y1, depth: deepest });
  }
  return out;
}

/** Context read around a wide hole: three quarters of its larger side, at least 32 px, at most 200 (a 300-px hole reads a 700-px crop). */
function contextFor(c: Component): number {
  return Math.round(Math.min(200, Math.max(32, 0.75 * Math.max(c.x1 - c.x0 + 1, c.y1 - c.y0 + 1))));
}

/**
 * Synthesizes every wide hole of `filled` (a complete first fill; outside the mask, the photo) in
 * place, from the known pixels around it that `exclude` does not mark. Returns which pixels were
 * synthesized. `seed` picks the random search: another seed, another fill (the re-roll).
 */
export function* synthesizeWideHolesSteps(
  filled: Raster,
  mask: Uint8Array,
  opts: { exclude?: Uint8Array; seed?: number } = {},
): Steps<WideHoles> {
  const { width, height, channels: ch } = filled;
  const depth = holeDepth(mask, width, height);
  const wide = new Uint8Array(mask.length);
  const chosen = components(mask, depth, width, height).filter((c) => c.depth >= WIDE_DEPTH);
  const total = chosen.reduce((n, c) => n + c.pixels.length, 0);
  let done = 0;
  let count = 0;
  const holes: WideHoles['holes'] = [];
  for (const [i, comp] of chosen.entries()) {
    const m = contextFor(comp);
    const crop = {
      x0: Math.max(0, comp.x0 - m), y0: Math.max(0, comp.y0 - m),
      x1: Math.min(width, comp.x1 + 1 + m), y1: Math.min(height, comp.y1 + 1 + m), holes: new Uint32Array(0),
    };
    const cw = crop.x1 - crop.x0;
    const image = cutCrop(filled, crop);
    const hole = new Uint8Array(cw * (crop.y1 - crop.y0));
    for (const p of comp.pixels) hole[((p - (p % width)) / width - crop.y0) * cw + (p % width) - crop.x0] = 1;
    // Sources: known pixels only (other holes in the crop are not the photo), minus what the user excluded.
    const source = cutMask(mask, width, crop);
    const excluded = opts.exclude ? cutMask(opts.exclude, width, crop) : undefined;
    for (let q = 0; q < source.length; q++) source[q] = source[q] || excluded?.[q] ? 0 : 1;
    // Both starts, and the fill with the lower energy: the onion peel continues lines across the
    // hole (a rail, a roof's edge) but can misalign a regular texture where its fronts meet (bricks),
    // which the smooth start aligns by propagation; the seams of a misalignment cost energy.
    let best: { energy: number; image: Raster } | undefined;
    for (const [j, start] of (['onion', 'smooth'] as const).entries()) {
      const attempt = { ...image, data: new Float32Array(image.data) };
      const steps = synthesizeSteps({ image: attempt, hole, source, seed: (opts.seed ?? SYNTHESIS_SEED) + 7919 * i, start });
      let s = steps.next();
      while (!s.done) {
        yield (done + ((j + s.value) / 2) * comp.pixels.length) / total;
        s = steps.next();
      }
      if (s.value === undefined) break;
      if (!best || s.value < best.energy) best = { energy: s.value, image: attempt };
    }
    done += comp.pixels.length;
    if (!best) continue;
    image.data.set(best.image.data);
    for (const p of comp.pixels) {
      const q = ((p - (p % width)) / width - crop.y0) * cw + (p % width) - crop.x0;
      for (let k = 0; k < ch; k++) filled.data[p * ch + k] = Math.min(1, Math.max(0, image.data[q * ch + k]!));
      wide[p] = 1;
    }
    count += comp.pixels.length;
    holes.push(comp);
  }
  return { wide, count, holes };
}
/** The fill's seed unless the caller asks for another (a re-roll). */
export const SYNTHESIS_SEED = 20261206;

/**
 * Scale (Gaussian sigma, px) below which a wide hole's fill is the synthesis and above which it is
 * the network and the rounds' refinement of it (inpaintRaster starts them from the synthesis in
 * wide holes), in holes up to 16 px deep; deeper ones use an eighth of their depth (detailSigma).
 * The refinement keeps the synthesis' structure (a rail, a roof's edge) and pulls its colours
 * towards the likely ones, but flattens the grain; the synthesis gives the grain back. On the 18
 * McMaster images with the blob masks (PSNR in the holes / texture score): the refinement alone
 * 20.47 / 0.12, the synthesis alone 19.22 / 0.66; one scale for every hole, 2 px: 20.15 / 0.65;
 * an eighth / a sixth of the depth, at least 2: 20.12 / 0.65, 20.04 / 0.65. At 2 px the bricks
 * behind a removed sign (a 44-px-deep hole) came out outlined, each a shade lighter inside a dark
 * rim: the rounds blur the copied bricks, and their blur shows at 2 px; at an eighth (5.5 px) they
 * are seamless. (Before, the network and rounds refined the smooth fill and the scale was a
 * quarter of the depth: 19.98 / 0.65, the smooth fill's blur over every rail that crossed a hole.)
 */
export const DETAIL_SIGMA = 2;

/** The detail scale of a hole `depth` px deep: an eighth of the depth, at least DETAIL_SIGMA. */
export function detailSigma(depth: number): number {
  return Math.max(DETAIL_SIGMA, depth / 8);
}

/** Separable Gaussian blur of a raster (edges repeated). */
function gaussianBlur(r: Raster, sigma: number): Float32Array {
  const { width: w, height: h, channels: c } = r;
  const rad = Math.ceil(3 * sigma);
  const k = new Float32Array(2 * rad + 1);
  let z = 0;
  for (let i = -rad; i <= rad; i++) z += k[i + rad] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= z;
  const tmp = new Float32Array(r.data.length);
  const out = new Float32Array(r.data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        let a = 0;
        for (let i = -rad; i <= rad; i++) a += k[i + rad]! * r.data[(y * w + Math.min(w - 1, Math.max(0, x + i))) * c + ch]!;
        tmp[(y * w + x) * c + ch] = a;
      }
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        let a = 0;
        for (let i = -rad; i <= rad; i++) a += k[i + rad]! * tmp[(Math.min(h - 1, Math.max(0, y + i)) * w + x) * c + ch]!;
        out[(y * w + x) * c + ch] = a;
      }
    }
  }
  return out;
}

/**
 * Structure from the refined fill, texture from the synthesis (as in Bertalmio et al. 2003's
 * structure and texture inpainting): in the wide holes, `filled` becomes its own blur plus the
 * synthesis minus its blur. The refined fill (the network and the rounds, started from the
 * synthesis) is the better guess of the hole's shading and colour at coarse scales (a copied patch
 * from elsewhere is often a shade off) and meets the edge without a step; the synthesis gives the
 * grain the rounds flatten. In place, clamped to [0,1].
 */
export function transferDetail(filled: Raster, synthesized: Raster, holes: WideHoles['holes'], sigma = detailSigma): void {
  const c = filled.channels;
  const { width, height } = filled;
  for (const hole of holes) {
    const s = sigma(hole.depth);
    const m = Math.ceil(3 * s) + 1;
    const crop = {
      x0: Math.max(0, hole.x0 - m), y0: Math.max(0, hole.y0 - m), x1: Math.min(width, hole.x1 + 1 + m), y1: Math.min(height, hole.y1 + 1 + m),
      holes: new Uint32Array(0),
    };
    // The blur averages hole pixels only (normalized convolution): where the synthesis is a shade
    // off the photo around it, the step at the hole's edge is not detail, and adding it would
    // draw the hole's outline.
    const synth = cutCrop(synthesized, crop);
    const cw = crop.x1 - crop.x0;
    const inHole: Raster = { width: cw, height: crop.y1 - crop.y0, channels: 1, data: new Float32Array(cw * (crop.y1 - crop.y0)) };
    for (const p of hole.pixels) inHole.data[indexInCrop(crop, p, width)] = 1;
    for (let q = 0; q < inHole.data.length; q++) if (!inHole.data[q]) for (let k = 0; k < c; k++) synth.data[q * c + k] = 0;
    const weight = gaussianBlur(inHole, s);
    const synthBlur = gaussianBlur(synth, s);
    const base = gaussianBlur(cutCrop(filled, crop), s);
    for (const p of hole.pixels) {
      const q = indexInCrop(crop, p, filled.width);
      for (let k = 0; k < c; k++) {
        const v = base[q * c + k]! + synth.data[q * c + k]! - synthBlur[q * c + k]! / weight[q]!;
        filled.data[p * c + k] = Math.min(1, Math.max(0, v));
      }
    }
  }
}
