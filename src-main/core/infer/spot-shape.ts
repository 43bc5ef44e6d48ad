/**
 * The shape tests a dark spot must pass to count as dust: where its darkening fades out, whether
 * it stands out round and clearly from its surroundings, and merging overlapping spots into one.
 */
import type { DustSpot } from '../../shared/api.js';

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
