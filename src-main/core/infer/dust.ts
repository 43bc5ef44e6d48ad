/**
 * Sensor dust and hot pixels over a whole shoot (`mend anomaly --batch`). One frame cannot tell a
 * dust shadow from a dark pebble, but dust sits on the sensor: its shadow is at the same place in
 * every frame while the picture changes. So the frames are compared, and what they agree on is a
 * defect of the camera:
 *  - dust: a soft darkening. Per frame, each pixel's relative deviation from a robust local
 *    background (a local median, so neither the spot nor a bright object nearby moves it) is
 *    kept; across the frames, the per-pixel median of those deviations is ~0 for the picture
 *    (as often brighter as darker) and equals the spot's darkening for dust. A pixel is dust
 *    when that median darkening is at least `darkening` and clearly beyond its spread across
 *    the frames (`sensitivity`, a z-score of the median); connected pixels form a spot, kept if
 *    its core darkens by 1.5x `darkening`.
 *  - hot pixels: a single pixel brighter than all its neighbours by a margin, in most frames.
 * The result is a heat map, the mean frame (where dust is visible as fixed dark spots), a list
 * of spots, and one inpainting mask for every frame of the shoot.
 *
 * Dust is analysed at a reduced resolution for large frames (spots are many pixels wide), hot
 * pixels always at full resolution. Frames must all have the first frame's size; others are
 * skipped (a portrait frame of a landscape shoot has its dust elsewhere).
 */
import type { DustSpot } from '../../shared/api.js';
import { MendError } from '../../shared/errors.js';
import type { JobContext } from '../../shared/jobs.js';
import { throwIfCancelled, yieldToEventLoop } from '../jobs/cancel.js';
import { type Raster } from '../image/raster.js';
import { boxDown } from '../math/resample.js';
import { DEFAULT_DUST_GROW, spotMask } from '../../shared/dust-mask.js';
import { boxBlur, components, luminance, medianBackground, medianOf } from './spot-filters.js';
import { mergeOverlapping, profileRadius } from './spot-shape.js';

export interface DustOptions extends JobContext {
  /** Smallest darkening that counts as dust (fraction of the light; default 0.04 = 4%). */
  darkening?: number;
  /** Dust: how far beyond its spread across the frames the median darkening must be (z-score; default 5, lower finds fainter spots). */
  sensitivity?: number;
  /** Brightness above every neighbour (0-1 scale) a pixel needs to count as hot in one frame (default 0.08). */
  hotMargin?: number;
  /** Hot pixels: fraction of frames in which the pixel must stand out (default 0.5). */
  minFrames?: number;
  /** Frames kept for the per-pixel median (default 64; later frames still count for hot pixels). */
  maxFrames?: number;
  /** Margin of the mask around each spot's profile radius (default 2, in full-resolution pixels). */
  grow?: number;
  /** Longest side of the dust analysis (frames larger than this are averaged down; default 2048). */
  analysisSide?: number;
  /** Smallest dust spot kept, in analysis pixels (default 4). */
  minArea?: number;
}

export interface DustResult {
  width: number;
  height: number;
  /** Frames used. */
  frames: number;
  /** Size of the heat map and mean frame (the dust analysis resolution). */
  mapWidth: number;
  mapHeight: number;
  /** Per pixel of the analysis grid, 0..1: evidence of a defect (0.5 = at the detection threshold). */
  heat: Float32Array;
  /** The mean of the frames' luminance (analysis grid): dust shows in it as fixed dark spots. */
  mean: Float32Array;
  /** Full resolution, 1 = inpaint (every spot, grown). */
  mask: Uint8Array;
  spots: DustSpot[];
}

/** Residuals are stored as int8: relative darkening in [-1, 1] times QUANT. */
const QUANT = 127;
/** A spot's core must darken by this many times the `darkening` threshold. */
const PEAK = 1.5;
const NOT_EXPOSED = -128;

/** Accumulates the frames of one shoot; `finish` turns the votes into spots and a mask. */
export class ShootDefectFinder {
  private width = 0;
  private height = 0;
  private f = 1;
  private mw = 0;
  private mh = 0;
  private frames = 0;
  private darkVotes!: Uint16Array;
  /** Each stored frame's relative darkening, quantized (NOT_EXPOSED where it could not show). */
  private residuals: Int8Array[] = [];
  private exposed!: Uint16Array;
  private darkSum!: Float32Array;
  private meanSum!: Float32Array;
  private hotVotes!: Uint16Array;
  private hotSum!: Float32Array;
  private buffers!: Float32Array[];
  median?: Float32Array;
  zMed?: Float32Array;

  constructor(private readonly o: DustOptions = {}) {}

  get size(): { width: number; height: number } | undefined {
    return this.frames ? { width: this.width, height: this.height } : undefined;
  }

  /** Adds one frame; returns false (and ignores it) when its size differs from the first frame's. */
  add(frame: Raster): boolean {
    const { width, height } = frame;
    if (this.frames === 0) this.init(width, height);
    else if (width !== this.width || height !== this.height) return false;
    const lum = luminance(frame);
    this.voteHot(lum);
    this.voteDust(lum);
    this.frames++;
    return true;
  }

  private init(width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.f = Math.max(1, Math.ceil(Math.max(width, height) / (this.o.analysisSide ?? 2048)));
    this.mw = Math.ceil(width / this.f);
    this.mh = Math.ceil(height / this.f);
    const m = this.mw * this.mh;
    this.darkVotes = new Uint16Array(m);

    this.exposed = new Uint16Array(m);
    this.darkSum = new Float32Array(m);
    this.meanSum = new Float32Array(m);
    this.hotVotes = new Uint16Array(width * height);
    this.hotSum = new Float32Array(width * height);
    this.buffers = Array.from({ length: 4 }, () => new Float32Array(m));
  }

  private voteHot(lum: Float32Array): void {
    const { width: w, height: h } = this;
    const margin = this.o.hotMargin ?? 0.08;
    for (let y = 1; y < h - 1; y++) {
      for (let x = 1; x < w - 1; x++) {
        const p = y * w + x;
        const v = lum[p]!;
        let max = -Infinity;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            if (dx === 0 && dy === 0) continue;
            const u = lum[p + dy * w + dx]!;
            if (u > max) max = u;
          }
        }
        if (v - max > margin) {
          this.hotVotes[p]!++;
          this.hotSum[p]! += v - max;
        }
      }
    }
  }

  private voteDust(lumFull: Float32Array): void {
    const { data: lum, width: w, height: h } = boxDown({ width: this.width, height: this.height, channels: 1, data: lumFull }, this.f);
    const [res, bg, r, tmp] = this.buffers as [Float32Array, Float32Array, Float32Array, Float32Array];
    // Background: a local median, wide enough that the largest spots are a minority of it, and
    // robust, so a bright object nearby does not lift it (a mean would, and the pixels around
    // every bright thing would look darkened).
    const radius = Math.max(12, Math.round(Math.min(w, h) / 20));
    medianBackground(lum, w, h, radius, bg);
    // Relative deviation from the background, in linear light: dust multiplies the light by its
    // transmission; texture (additive) stays symmetric, where a logarithm would skew it dark.
    const eps = 0.01;
    // A frame "shows" the spot where it darkens by at least half the threshold (for the spot list).
    const thr = -0.5 * (this.o.darkening ?? 0.04);
    for (let i = 0; i < r.length; i++) r[i] = (lum[i]! - bg[i]!) / (bg[i]! + eps);
    // A light blur of the residual: spots are blobs, noise is per pixel.
    boxBlur(r, w, h, 1, res, tmp);
    const keep = this.residuals.length < (this.o.maxFrames ?? 64) ? new Int8Array(res.length) : undefined;
    for (let i = 0; i < res.length; i++) {
      const v = lum[i]!;
      this.meanSum[i]! += v;
      // Clipped shadows and highlights cannot show dust.
      if (v < 0.03 || v > 0.97) {
        if (keep) keep[i] = NOT_EXPOSED;
        continue;
      }
      this.exposed[i]!++;
      const d = res[i]!;
      this.darkSum[i]! += d;
      if (d < thr) this.darkVotes[i]!++;
      if (keep) keep[i] = Math.round(Math.max(-1, Math.min(1, d)) * QUANT);
    }
    if (keep) this.residuals.push(keep);
  }

  finish(): DustResult {
    if (this.frames === 0) throw new RangeError('No frames were added');
    const { width: w, height: h, mw, mh, f, frames } = this;
    const threshold = this.o.sensitivity ?? 5;
    const minFrames = this.o.minFrames ?? 0.5;
    const minDark = this.o.darkening ?? 0.04;
    // Too few exposed frames at a pixel to judge it: no vote.
    const minExposed = Math.max(2, Math.ceil(frames * 0.3));
    const m = mw * mh;
    const heat = new Float32Array(m);
    const dust = new Uint8Array(m);
    const values = new Float32Array(this.residuals.length);
    const dev = new Float32Array(this.residuals.length);
    this.median = new Float32Array(m);
    this.zMed = new Float32Array(m);
    for (let i = 0; i < m; i++) {
      let n = 0;
      for (const r of this.residuals) if (r[i] !== NOT_EXPOSED) values[n++] = r[i]! / QUANT;
      if (n < minExposed) continue;
      // The median frame: content is as often brighter as darker; dust darkens every frame.
      const med = medianOf(values, n);
      for (let j = 0; j < n; j++) dev[j] = Math.abs(values[j]! - med);
      // Robust spread across frames (MAD), and the median's standard error from it.
      const sd = Math.max(1.4826 * medianOf(dev, n), 0.004);
      const z = -med / ((1.2533 * sd) / Math.sqrt(n));
      this.median[i] = med;
      this.zMed[i] = z;
      heat[i] = Math.min(1, Math.max(0, Math.min(z / (2 * threshold), -med / (2 * minDark))));
      if (z >= threshold && -med >= minDark) dust[i] = 1;
    }
    const dustSpots: DustSpot[] = [];
    const minArea = this.o.minArea ?? 4;
    for (const c of components(dust, mw, mh)) {
      if (c.pixels.length < minArea) continue;
      let sx = 0;
      let sy = 0;
      let sw = 0;
      let sf = 0;
      let peak = 0;
      for (const p of c.pixels) {
        const x = p % mw;
        const y = (p - x) / mw;
        // The centre weighted by darkening: the core, not the middle of a lopsided outline.
        const d = Math.max(0, -this.median![p]!);
        sx += x * d;
        sy += y * d;
        sw += d;
        sf += this.exposed[p]! ? this.darkVotes[p]! / this.exposed[p]! : 0;
        peak = Math.max(peak, d);
      }
      const n = c.pixels.length;
      // A real spot has a clear core; chance agreements of the picture are faint all over.
      if (peak < PEAK * minDark || !(sw > 0)) continue;
      const cx = sx / sw;
      const cy = sy / sw;
      const edge = profileRadius(this.median!, mw, mh, cx, cy, peak, Math.sqrt(n / Math.PI), minDark);
      // A darkening that does not fall off within a few spot radii is a broad shading, not dust.
      if (edge === undefined) continue;
      dustSpots.push({ kind: 'dust', x: (cx + 0.5) * f - 0.5, y: (cy + 0.5) * f - 0.5, radius: edge * f, frames: sf / n, strength: peak });
    }
    const spots = mergeOverlapping(dustSpots);
    const hotSet = new Uint8Array(w * h);
    const needHot = Math.max(2, Math.ceil(Math.max(0.5, minFrames) * frames));
    for (let p = 0; p < w * h; p++) if (this.hotVotes[p]! >= needHot) hotSet[p] = 1;
    for (const c of components(hotSet, w, h)) {
      let sx = 0;
      let sy = 0;
      let sv = 0;
      let sn = 0;
      for (const p of c.pixels) {
        const x = p % w;
        const y = (p - x) / w;
        sx += x;
        sy += y;
        sv += this.hotVotes[p]! / frames;
        sn += this.hotSum[p]! / Math.max(1, this.hotVotes[p]!);
        const hp = Math.floor(y / f) * mw + Math.floor(x / f);
        heat[hp] = Math.max(heat[hp]!, this.hotVotes[p]! / frames);
      }
      const n = c.pixels.length;
      const hot: DustSpot = { kind: 'hot', x: sx / n, y: sy / n, radius: Math.sqrt(n / Math.PI), frames: sv / n, strength: sn / n };
      // A hot pixel inside a dust spot is covered by the spot's mask: one entry, not two.
      if (!dustSpots.some((d) => Math.hypot(d.x - hot.x, d.y - hot.y) <= d.radius + hot.radius)) spots.push(hot);
    }
    spots.sort((a, b) => b.frames - a.frames || b.strength - a.strength);
    const mean = new Float32Array(m);
    for (let i = 0; i < m; i++) mean[i] = this.meanSum[i]! / frames;
    // The mask is the spots' disks (their profile radius plus the margin), so a mask made later
    // from a subset of the list (spots the user accepted) is this one restricted to them.
    return { width: w, height: h, frames, mapWidth: mw, mapHeight: mh, heat, mean, mask: spotMask(w, h, spots, this.o.grow ?? DEFAULT_DUST_GROW), spots };
  }
}

/** A frame source: one decode at a time, so a shoot of any length fits in memory. */
export interface FrameSource {
  name: string;
  read(): Promise<Raster>;
}

/** Runs the finder over frames, skipping unreadable ones and ones of another size (reported as warnings). */
export async function findShootDefects(frames: FrameSource[], o: DustOptions = {}): Promise<DustResult & { skipped: { name: string; reason: string }[] }> {
  const finder = new ShootDefectFinder(o);
  const skipped: { name: string; reason: string }[] = [];
  const emit = o.onEvent ?? (() => undefined);
  for (const [i, src] of frames.entries()) {
    throwIfCancelled(o.signal);
    emit({ type: 'progress', stage: 'dust', done: i, total: frames.length, detail: src.name });
    let raster: Raster;
    try {
      raster = await src.read();
    } catch (e) {
      const reason = (e as Error).message;
      skipped.push({ name: src.name, reason });
      emit({ type: 'log', level: 'warn', message: `Skipped ${src.name}: ${reason}` });
      continue;
    }
    if (!finder.add(raster)) {
      const s = finder.size!;
      const reason = `${raster.width}x${raster.height}, not the shoot's ${s.width}x${s.height}`;
      skipped.push({ name: src.name, reason });
      emit({ type: 'log', level: 'warn', message: `Skipped ${src.name}: ${reason}` });
    }
    await yieldToEventLoop();
  }
  emit({ type: 'progress', stage: 'dust', done: frames.length, total: frames.length });
  if (frames.length - skipped.length < 2) {
    throw new MendError('usage', `A shoot needs at least 2 frames of the same size to tell dust from the picture (got ${frames.length - skipped.length})`);
  }
  return { ...finder.finish(), skipped };
}
