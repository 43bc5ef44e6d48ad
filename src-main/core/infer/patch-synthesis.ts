/**
 * Exemplar-based completion of a wide hole: multi-scale PatchMatch (Barnes et al. 2009) inside
 * Wexler, Shechtman & Irani's (2007) iterations, the method behind Content-Aware Fill. Coarse to
 * fine, every patch that overlaps the hole looks for its nearest patch in the known region
 * (randomized search and propagation of good matches to neighbours), and each hole pixel becomes
 * the weighted average of what the overlapping matches put there. Copied patches carry the
 * photo's texture and its straight structures (boards, railings, horizons) into the hole, where a
 * smooth fill can only interpolate.
 *
 * The coarsest level starts from an onion peel (structure continued inward from the hole's edge),
 * which carries a rail or a roof's edge across, or (`start: 'smooth'`) from the smooth fill,
 * which aligns regular texture better; wide-holes.ts runs both and keeps the lower energy.
 * Everything runs on typed arrays over one crop around the hole; the work is a generator of
 * steps (core/jobs/steps.ts), so a job reports progress and can be cancelled between them.
 */
import { Rng } from '../math/rng.js';
import type { Raster } from '../image/raster.js';
import type { Steps } from '../jobs/steps.js';
import { onionPeel } from './onion-peel.js';

/** Patch radius: 7x7 patches, the usual size for photographs at this scale. */
const R = 3;
const SIDE = 2 * R + 1;
/**
 * The coarsest level is the one where the hole is at most this deep (px), and the onion peel
 * (onionPeel) starts it. Deeper levels lose thin structure: a 10-px rail is one pixel wide once the
 * picture is halved three times. On the 18 McMaster images with the blob masks (the synthesis
 * alone, PSNR in the holes / texture score): starting from the smooth fill at depth 4, 18.02 /
 * 0.66; onion peel at depth 4 / 8 / 12 / 16: 17.37 / 0.74, 18.22 / 0.71, 18.92 / 0.73, 18.97 /
 * 0.70 (the smooth start at 12: 19.48 / 0.56, a smear deep inside).
 */
const COARSE_DEPTH = 12;
/** The other start: from the smooth fill, at a level where the hole is at most 4 px deep (synthesizeSteps' `start`). */
const SMOOTH_COARSE_DEPTH = 4;
/** Wexler iterations (nearest patches, then the vote) per level, coarse and fine; the fine levels start from the coarser solution. */
const EM_COARSE = 6;
const EM_FINE = 3;
/** PatchMatch sweeps (propagation and random search) per Wexler iteration. */
const PM_SWEEPS = 2;
/**
 * The last vote weighs patches this much more sharply (their distance scale divided by it), so
 * each pixel follows its best few matches instead of an average that blurs the texture. On 5
 * McMaster images with the blob masks, 1 / 4 / 16 gave a texture score (metrics/hole-texture.ts)
 * of 0.65 / 0.67 / 0.72 for 0.12 dB less PSNR in the holes at 16.
 */
const FINAL_SHARPNESS = 16;

export interface SynthesisInput {
  /** The crop; hole pixels hold a first fill (used at the coarsest level only). */
  image: Raster;
  /** 1 = pixel to synthesize. */
  hole: Uint8Array;
  /** 1 = pixel a source patch may contain (known, not excluded by the user). */
  source: Uint8Array;
  seed: number;
  /**
   * How the coarsest level starts: 'onion' (the onion peel, at a level where the hole is up to
   * COARSE_DEPTH deep; continues lines) or 'smooth' (the first fill, where it is up to 4 px deep;
   * aligns regular texture such as bricks better, since nothing is decided before propagation).
   */
  start?: 'onion' | 'smooth';
}

interface Level {
  w: number;
  h: number;
  img: Float32Array;
  hole: Uint8Array;
  source: Uint8Array;
}

/** Box-averages a level 2x; a coarse pixel is hole if any of its four is, a source only if all four are. */
function down(l: Level, c: number): Level {
  const w = Math.max(1, l.w >> 1);
  const h = Math.max(1, l.h >> 1);
  const img = new Float32Array(w * h * c);
  const hole = new Uint8Array(w * h);
  const source = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const q = y * w + x;
      let anyHole = 0;
      let allSource = 1;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const p = Math.min(l.h - 1, 2 * y + dy) * l.w + Math.min(l.w - 1, 2 * x + dx);
          anyHole |= l.hole[p]!;
          allSource &= l.source[p]!;
          for (let k = 0; k < c; k++) img[q * c + k]! += 0.25 * l.img[p * c + k]!;
        }
      }
      hole[q] = anyHole;
      source[q] = allSource;
    }
  }
  return { w, h, img, hole, source };
}

/** Deepest distance (chessboard) from a hole pixel to a non-hole pixel, by repeated erosion counts. */
function maxDepth(hole: Uint8Array, w: number, h: number): number {
  let cur = hole;
  let depth = 0;
  for (;;) {
    let any = 0;
    const next = new Uint8Array(cur.length);
    for (let y = 1; y < h - 1; y++) {
      for (let x = 1; x < w - 1; x++) {
        const p = y * w + x;
        if (cur[p] && cur[p - 1] && cur[p + 1] && cur[p - w] && cur[p + w]) {
          next[p] = 1;
          any = 1;
        }
      }
    }
    let left = 0;
    for (let p = 0; p < cur.length; p++) left |= cur[p]!;
    if (!left) return depth;
    depth++;
    if (!any) return depth;
    cur = next;
  }
}

/** Patch centres whose whole 7x7 patch is source, as pixel indices (an integral image of non-source counts). */
function sourceCentres(l: Level): Int32Array {
  const { w, h } = l;
  const ii = new Int32Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += l.source[y * w + x] ? 0 : 1;
      ii[(y + 1) * (w + 1) + x + 1] = ii[y * (w + 1) + x + 1]! + row;
    }
  }
  const out: number[] = [];
  for (let y = R; y < h - R; y++) {
    for (let x = R; x < w - R; x++) {
      const bad = ii[(y + R + 1) * (w + 1) + x + R + 1]! - ii[(y - R) * (w + 1) + x + R + 1]! - ii[(y + R + 1) * (w + 1) + x - R]! + ii[(y - R) * (w + 1) + x - R]!;
      if (bad === 0) out.push(y * w + x);
    }
  }
  return Int32Array.from(out);
}

/** Patch centres whose patch overlaps the hole (clamped so the patch lies in the crop), as a flag per pixel and a list. */
function targetCentres(l: Level): { isTarget: Uint8Array; list: Int32Array } {
  const { w, h } = l;
  const isTarget = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!l.hole[y * w + x]) continue;
      for (let dy = -R; dy <= R; dy++) {
        const cy = Math.min(h - 1 - R, Math.max(R, y + dy));
        for (let dx = -R; dx <= R; dx++) {
          const cx = Math.min(w - 1 - R, Math.max(R, x + dx));
          isTarget[cy * w + cx] = 1;
        }
      }
    }
  }
  const list: number[] = [];
  for (let p = 0; p < isTarget.length; p++) if (isTarget[p]) list.push(p);
  return { isTarget, list: Int32Array.from(list) };
}

/** Sum of squared differences of the patches centred at t and s, stopping once it passes `stop`. */
function patchDistance(img: Float32Array, w: number, c: number, t: number, s: number, stop: number): number {
  let d = 0;
  const rowStep = w * c;
  let tp = (t - R * w - R) * c;
  let sp = (s - R * w - R) * c;
  const n = SIDE * c;
  for (let dy = 0; dy < SIDE; dy++) {
    for (let i = 0; i < n; i++) {
      const e = img[tp + i]! - img[sp + i]!;
      d += e * e;
    }
    if (d >= stop) return d;
    tp += rowStep;
    sp += rowStep;
  }
  return d;
}

interface Field {
  /** Per pixel: the source centre its patch maps to, -1 where not a target. */
  nnf: Int32Array;
  dist: Float32Array;
}

/** PatchMatch sweeps over the targets: propagation from the scan's previous neighbours, then random search around the match. */
function improve(l: Level, c: number, targets: Int32Array, isSource: Uint8Array, sources: Int32Array, f: Field, rng: Rng, sweep: number): void {
  const { w, h, img } = l;
  const { nnf, dist } = f;
  const forward = sweep % 2 === 0;
  const n = targets.length;
  const step = forward ? -1 : 1;
  const maxR = Math.max(w, h);
  for (let i = 0; i < n; i++) {
    const t = targets[forward ? i : n - 1 - i]!;
    let best = nnf[t]!;
    let bestD = dist[t]!;
    const tx = t % w;
    // Propagation: a neighbour's match, shifted back by one pixel, is a good guess (coherence).
    for (const nb of [t + step, t + step * w]) {
      if (nb < 0 || nb >= w * h || Math.abs((nb % w) - tx) > 1) continue;
      const m = nnf[nb]!;
      if (m < 0) continue;
      const cand = m - (nb - t);
      if (cand < 0 || cand >= w * h || !isSource[cand] || Math.abs((cand % w) - (m % w)) > 1) continue;
      const d = patchDistance(img, w, c, t, cand, bestD);
      if (d < bestD) {
        bestD = d;
        best = cand;
      }
    }
    // Random search in windows halving around the current match.
    const bx = best % w;
    const by = (best - bx) / w;
    for (let r = maxR; r >= 1; r >>= 1) {
      const x = bx + rng.int(2 * r + 1) - r;
      const y = by + rng.int(2 * r + 1) - r;
      if (x < R || y < R || x >= w - R || y >= h - R) continue;
      const cand = y * w + x;
      if (!isSource[cand]) continue;
      const d = patchDistance(img, w, c, t, cand, bestD);
      if (d < bestD) {
        bestD = d;
        best = cand;
      }
    }
    // A random source now and then, so a target stuck in a poor region can still leave it.
    const cand = sources[rng.int(sources.length)]!;
    const d = patchDistance(img, w, c, t, cand, bestD);
    if (d < bestD) {
      bestD = d;
      best = cand;
    }
    nnf[t] = best;
    dist[t] = bestD;
  }
}

/**
 * The vote: each hole pixel becomes the average of what the target patches covering it map there,
 * each patch weighted by exp(-d / (2 s)) with s its distance's 75th percentile (Wexler et al.),
 * so good matches count most and an unlucky patch cannot leave a ghost.
 */
function vote(l: Level, c: number, targets: Int32Array, f: Field, sharp = 1): void {
  const { w, img, hole } = l;
  const sample = new Float32Array(Math.min(targets.length, 4096));
  for (let i = 0; i < sample.length; i++) sample[i] = f.dist[targets[Math.floor((i * targets.length) / sample.length)]!]!;
  sample.sort();
  const scale = (2 * Math.max(1e-6, sample[Math.floor(sample.length * 0.75)] ?? 1)) / sharp;
  const acc = new Float32Array(w * l.h * c);
  const wsum = new Float32Array(w * l.h);
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    const s = f.nnf[t]!;
    const wt = Math.exp(-f.dist[t]! / scale) + 1e-12;
    for (let dy = -R; dy <= R; dy++) {
      for (let dx = -R; dx <= R; dx++) {
        const o = dy * w + dx;
        const p = t + o;
        if (!hole[p]) continue;
        const q = s + o;
        wsum[p]! += wt;
        for (let k = 0; k < c; k++) acc[p * c + k]! += wt * img[q * c + k]!;
      }
    }
  }
  for (let p = 0; p < wsum.length; p++) {
    if (!hole[p] || !(wsum[p]! > 0)) continue;
    for (let k = 0; k < c; k++) img[p * c + k] = acc[p * c + k]! / wsum[p]!;
  }
}

/** Distances of every target to its current match. */
function measure(l: Level, c: number, targets: Int32Array, f: Field): void {
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    f.dist[t] = patchDistance(l.img, l.w, c, t, f.nnf[t]!, Infinity);
  }
}

/**
 * Synthesizes the hole of `input.image` in place. Returns the completion's energy (lower: every
 * patch of the fill has a closer match in the photo), or undefined (the image untouched) where
 * the crop holds no whole source patch. Yields progress 0-1 between sweeps.
 */
export function* synthesizeSteps(input: SynthesisInput): Steps<number | undefined> {
  const onion = (input.start ?? 'onion') === 'onion';
  const c = input.image.channels;
  const levels: Level[] = [{ w: input.image.width, h: input.image.height, img: input.image.data, hole: input.hole, source: input.source }];
  let depth = maxDepth(input.hole, levels[0]!.w, levels[0]!.h);
  while (depth > (onion ? COARSE_DEPTH : SMOOTH_COARSE_DEPTH) && Math.min(levels[0]!.w, levels[0]!.h) >= 8 * SIDE) {
    levels.unshift(down(levels[0]!, c));
    depth = Math.ceil(depth / 2);
  }
  const rng = new Rng(input.seed);
  // Work per level is about its targets times its iterations; progress is counted in that.
  const plan = levels.map((l, i) => {
    const targets = targetCentres(l);
    const sources = sourceCentres(l);
    const isSource = new Uint8Array(l.w * l.h);
    for (const s of sources) isSource[s] = 1;
    return { l, targets, sources, isSource, iters: i === 0 ? EM_COARSE : EM_FINE };
  });
  if (plan.some((p) => p.sources.length === 0)) return undefined;
  if (onion) onionPeel(plan[0]!.l, c, R, plan[0]!.sources, plan[0]!.isSource);
  const total = plan.reduce((n, p) => n + p.targets.list.length * p.iters * (PM_SWEEPS + 1), 0);
  let done = 0;
  let prev: { l: Level; f: Field } | undefined;
  for (const { l, targets, sources, isSource, iters } of plan) {
    const list = targets.list;
    const f: Field = { nnf: new Int32Array(l.w * l.h).fill(-1), dist: new Float32Array(l.w * l.h) };
    for (const t of list) {
      // From the coarser level's match, scaled up (the same offset within the 2x2 block); random where it has none.
      let s = -1;
      if (prev) {
        const x = t % l.w;
        const y = (t - x) / l.w;
        const cx = Math.min(prev.l.w - 1, x >> 1);
        const cy = Math.min(prev.l.h - 1, y >> 1);
        const m = prev.f.nnf[cy * prev.l.w + cx]!;
        if (m >= 0) {
          const mx = m % prev.l.w;
          const fx = 2 * mx + (x & 1);
          const fy = 2 * ((m - mx) / prev.l.w) + (y & 1);
          if (fx >= R && fy >= R && fx < l.w - R && fy < l.h - R && isSource[fy * l.w + fx]) s = fy * l.w + fx;
        }
      }
      f.nnf[t] = s >= 0 ? s : sources[rng.int(sources.length)]!;
    }
    // A finer level starts from the coarser solution: its matches, voted at this resolution.
    if (prev) vote(l, c, list, f);
    for (let it = 0; it < iters; it++) {
      measure(l, c, list, f);
      for (let s = 0; s < PM_SWEEPS; s++) {
        improve(l, c, list, isSource, sources, f, rng, s);
        done += list.length;
        yield done / total;
      }
      vote(l, c, list, f, l === levels[levels.length - 1] && it === iters - 1 ? FINAL_SHARPNESS : 1);
      done += list.length;
      yield done / total;
    }
    prev = { l, f };
  }
  // The completion's energy (Wexler et al.'s objective): the mean distance of every patch that
  // overlaps the hole to its nearest source, after the last vote.
  const last = plan[plan.length - 1]!;
  const f = prev!.f;
  measure(last.l, c, last.targets.list, f);
  let energy = 0;
  for (const t of last.targets.list) energy += f.dist[t]!;
  return energy / Math.max(1, last.targets.list.length);
}
