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
import { boxDown } from '../image/resample.js';
import { DEFAULT_DUST_GROW, spotMask } from '../../shared/dust-mask.js';

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

/** Median of the first n values (reorders them). */
function medianOf(v: Float32Array, n: number): number {
  const a = v.subarray(0, n).sort();
  return n % 2 ? a[(n - 1) / 2]! : 0.5 * (a[n / 2 - 1]! + a[n / 2]!);
}

/** Luminance of a raster (grey as is, colour by Rec. 601 weights). */
export function luminance(r: Raster): Float32Array {
  if (r.channels === 1) return r.data;
  const n = r.width * r.height;
  const out = new Float32Array(n);
  const c = r.channels;
  for (let i = 0; i < n; i++) out[i] = 0.299 * r.data[i * c]! + 0.587 * r.data[i * c + 1]! + 0.114 * r.data[i * c + 2]!;
  return out;
}

/**
 * Box blur of radius r along rows then columns, into `out`. Beyond the edges the signal is
 * point-reflected (v[-k] = 2 v[0] - v[k]), which continues a gradient straight on: a plain
 * clamp or mirror would bend the background at the edge of a sky gradient or a vignetted corner,
 * and every frame would then show the same false "darkening" along the frame's border.
 */
export function boxBlur(src: Float32Array, w: number, h: number, r: number, out: Float32Array, tmp: Float32Array): void {
  const norm = 1 / (2 * r + 1);
  const at = (base: number, stride: number, n: number, k: number): number => {
    if (k < 0) return 2 * src[base]! - src[base + Math.min(n - 1, -k) * stride]!;
    if (k >= n) return 2 * src[base + (n - 1) * stride]! - src[base + Math.max(0, 2 * (n - 1) - k) * stride]!;
    return src[base + k * stride]!;
  };
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let acc = 0;
    for (let k = -r; k <= r; k++) acc += at(row, 1, w, k);
    for (let x = 0; x < w; x++) {
      tmp[row + x] = acc * norm;
      acc += at(row, 1, w, x + r + 1) - at(row, 1, w, x - r);
    }
  }
  const atT = (x: number, k: number): number => {
    if (k < 0) return 2 * tmp[x]! - tmp[Math.min(h - 1, -k) * w + x]!;
    if (k >= h) return 2 * tmp[(h - 1) * w + x]! - tmp[Math.max(0, 2 * (h - 1) - k) * w + x]!;
    return tmp[k * w + x]!;
  };
  for (let x = 0; x < w; x++) {
    let acc = 0;
    for (let k = -r; k <= r; k++) acc += atT(x, k);
    for (let y = 0; y < h; y++) {
      out[y * w + x] = acc * norm;
      acc += atT(x, y + r + 1) - atT(x, y - r);
    }
  }
}

/**
 * Local median of `src` over a (2r+1)^2 window, evaluated on a grid every r/2 pixels from a
 * sparse sample of the window and interpolated bilinearly in between: the background varies
 * slowly, and this keeps the cost per frame to a few hundred thousand samples at any size.
 */
export function medianBackground(src: Float32Array, w: number, h: number, r: number, out: Float32Array): void {
  const g = Math.max(2, Math.round(r / 2));
  const st = Math.max(1, Math.round(r / 6));
  const gw = Math.ceil((w - 1) / g) + 1;
  const gh = Math.ceil((h - 1) / g) + 1;
  const grid = new Float32Array(gw * gh);
  const sample = new Float32Array((Math.floor((2 * r) / st) + 1) ** 2);
  for (let gy = 0; gy < gh; gy++) {
    const cy = Math.min(h - 1, gy * g);
    for (let gx = 0; gx < gw; gx++) {
      const cx = Math.min(w - 1, gx * g);
      let n = 0;
      for (let y = Math.max(0, cy - r); y <= Math.min(h - 1, cy + r); y += st) {
        for (let x = Math.max(0, cx - r); x <= Math.min(w - 1, cx + r); x += st) sample[n++] = src[y * w + x]!;
      }
      grid[gy * gw + gx] = medianOf(sample, n);
    }
  }
  for (let y = 0; y < h; y++) {
    const fy = Math.min(gh - 1.000001, y / g);
    const y0 = Math.floor(fy);
    const ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(gw - 1.000001, x / g);
      const x0 = Math.floor(fx);
      const tx = fx - x0;
      const a = grid[y0 * gw + x0]!;
      const b = grid[y0 * gw + x0 + 1]!;
      const c = grid[(y0 + 1) * gw + x0]!;
      const d = grid[(y0 + 1) * gw + x0 + 1]!;
      out[y * w + x] = (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
    }
  }
}

export interface Component {
  pixels: number[];
}

/** 8-connected components of the set pixels. */
export function components(set: Uint8Array, w: number, h: number): Component[] {
  const seen = new Uint8Array(set.length);
  const out: Component[] = [];
  const stack: number[] = [];
  for (let p = 0; p < set.length; p++) {
    if (!set[p] || seen[p]) continue;
    const pixels: number[] = [];
    seen[p] = 1;
    stack.push(p);
    while (stack.length) {
      const q = stack.pop()!;
      pixels.push(q);
      const qx = q % w;
      const qy = (q - qx) / w;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = qy + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = qx + dx;
          if (xx < 0 || xx >= w) continue;
          const n = yy * w + xx;
          if (set[n] && !seen[n]) {
            seen[n] = 1;
            stack.push(n);
          }
        }
      }
    }
    out.push({ pixels });
  }
  return out;
}

/** A spot's edge: where its ring-mean darkening falls under this fraction of its peak... */
const EDGE_FRACTION = 0.05;
/** ...or under this fraction of the `darkening` threshold (a 4% threshold: 1% darker), whichever is higher. */
const EDGE_FLOOR = 0.25;

/**
 * The radius (analysis pixels) at which a spot's darkening around (cx, cy) has faded out: the
 * mean of the median darkening over 1-pixel rings, outward, to where it crosses the edge level
 * (interpolated between rings). A spot's soft shadow reaches far past the pixels that pass the
 * detection threshold (a Gaussian shadow of 20% is still 2-3% dark at 1.5x the radius where it
 * passes a 4% threshold), and a mask of only those leaves a faint ring after inpainting.
 * Undefined when the darkening has not faded by 4x the detected radius plus 6 pixels.
 */
export function profileRadius(median: Float32Array, w: number, h: number, cx: number, cy: number, peak: number, detected: number, minDark: number): number | undefined {
  const rMax = Math.ceil(4 * detected + 6);
  const sum = new Float64Array(rMax + 1);
  const count = new Uint32Array(rMax + 1);
  for (let y = Math.max(0, Math.floor(cy - rMax)); y <= Math.min(h - 1, Math.ceil(cy + rMax)); y++) {
    for (let x = Math.max(0, Math.floor(cx - rMax)); x <= Math.min(w - 1, Math.ceil(cx + rMax)); x++) {
      const b = Math.floor(Math.hypot(x - cx, y - cy));
      if (b > rMax) continue;
      sum[b] += -median[y * w + x]!;
      count[b]!++;
    }
  }
  const level = Math.max(EDGE_FRACTION * peak, EDGE_FLOOR * minDark);
  // Outward from the darkest ring, not from the centre: out-of-focus dust can cast a ring with a
  // lighter middle (a doughnut), whose edge is past the ring.
  let start = 0;
  for (let b = 1; b <= Math.min(rMax, Math.ceil(detected) + 2); b++) {
    if (count[b] && sum[b]! / count[b]! > sum[start]! / Math.max(1, count[start]!)) start = b;
  }
  let prev = peak;
  for (let b = start; b <= rMax; b++) {
    if (!count[b]) continue;
    const v = sum[b]! / count[b]!;
    // Ring b holds distances [b, b+1): its mean stands for b + 0.5.
    if (v < level) return b === start ? b + 0.5 : Math.max(0.5, b - 0.5 + (prev - level) / Math.max(1e-9, prev - v));
    prev = v;
  }
  return undefined;
}

/** A spot's peak darkening over the spread of the darkening around it: it must stand out this clearly. */
const MIN_CONTRAST = 6;
/** Longest over shortest axis of a spot's darkening: dust is round, shading and shadows are not. */
const MAX_ELONGATION = 1.8;

/**
 * Whether the darkening around (cx, cy) is a round spot clearly above the ups and downs of its
 * surroundings: its peak is MIN_CONTRAST times the spread of the darkening in the ring from
 * radius + 1 to 2 radius + 6 (a sky's noise, not the mottle of a lawn or of clouds), the ring
 * is back at the background on average, and the darkening inside is round (MAX_ELONGATION).
 */
export function standsOut(res: Float32Array, w: number, h: number, cx: number, cy: number, radius: number, peak: number): boolean {
  const outer = 2 * radius + 6;
  let n = 0;
  let sum = 0;
  let sum2 = 0;
  let m = 0;
  let mxx = 0;
  let myy = 0;
  let mxy = 0;
  for (let y = Math.max(0, Math.floor(cy - outer)); y <= Math.min(h - 1, Math.ceil(cy + outer)); y++) {
    for (let x = Math.max(0, Math.floor(cx - outer)); x <= Math.min(w - 1, Math.ceil(cx + outer)); x++) {
      const d = Math.hypot(x - cx, y - cy);
      const r = res[y * w + x]!;
      if (d <= radius) {
        const k = Math.max(0, -r);
        m += k;
        mxx += k * (x - cx) ** 2;
        myy += k * (y - cy) ** 2;
        mxy += k * (x - cx) * (y - cy);
      } else if (d > radius + 1 && d <= outer) {
        n++;
        sum += r;
        sum2 += r * r;
      }
    }
  }
  if (n < 8 || !(m > 0)) return false;
  const mean = sum / n;
  const spread = Math.sqrt(Math.max(0, sum2 / n - mean * mean));
  if (peak < MIN_CONTRAST * spread || -mean > 0.25 * peak) return false;
  // Axes of the darkening-weighted second moments.
  const a = mxx / m;
  const b = myy / m;
  const c = mxy / m;
  const root = Math.sqrt(((a - b) / 2) ** 2 + c * c);
  const major = (a + b) / 2 + root;
  const minor = Math.max(1e-9, (a + b) / 2 - root);
  return Math.sqrt(major / minor) <= MAX_ELONGATION;
}

/**
 * Merges dust spots whose disks overlap into one (its centre weighted by strength and size, its
 * disk covering all of theirs): a spot split by the threshold into parts, or a ring-shaped
 * shadow, is one speck of dust and must be listed, accepted and masked once.
 */
export function mergeOverlapping(spots: DustSpot[]): DustSpot[] {
  let list = spots.slice();
  for (let merged = true; merged; ) {
    merged = false;
    outer: for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i]!;
        const b = list[j]!;
        if (Math.hypot(a.x - b.x, a.y - b.y) >= a.radius + b.radius) continue;
        const wa = a.strength * (a.radius ** 2 + 1);
        const wb = b.strength * (b.radius ** 2 + 1);
        const x = (a.x * wa + b.x * wb) / (wa + wb);
        const y = (a.y * wa + b.y * wb) / (wa + wb);
        const radius = Math.max(Math.hypot(a.x - x, a.y - y) + a.radius, Math.hypot(b.x - x, b.y - y) + b.radius);
        const one: DustSpot = { kind: 'dust', x, y, radius, frames: Math.max(a.frames, b.frames), strength: Math.max(a.strength, b.strength) };
        list = [...list.slice(0, i), one, ...list.slice(i + 1, j), ...list.slice(j + 1)];
        merged = true;
        break outer;
      }
    }
  }
  return list;
}

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
