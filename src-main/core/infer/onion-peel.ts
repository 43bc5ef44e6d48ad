// The start of exemplar synthesis' coarsest level (patch-synthesis.ts): an onion peel that
// continues what enters a hole from its edge inward.

/** One level of the synthesis pyramid, as the peel reads it (values HWC, 1 = hole). */
export interface PeelLevel {
  w: number;
  h: number;
  img: Float32Array;
  hole: Uint8Array;
}

/** Sources the onion peel compares exhaustively: about this many, on a regular grid; the best is refined around. */
const ONION_GRID = 1500;
/**
 * Weight, in the onion peel's patch distance, of the hole pixels not yet peeled (their smooth
 * first fill) against 1 for known and peeled ones. At 0 a thin band of known pixels decides
 * alone, and the name board's hole, 4 px above a dark doorway, grew the trees' dark patches
 * upward (which match "light band over dark"); the smooth fill's colour rules those out. At 0 /
 * 0.1 / 0.3 (the synthesis alone, blobs as above): 18.92 / 0.73, 19.28 / 0.65, 19.39 / 0.62.
 */
const ONION_GUIDE = 0.1;

/**
 * Onion-peel start of the coarsest level (as in Newson et al. 2014): the hole is filled layer by
 * layer from its edge inward, each pixel taking the centre of the source patch that best matches
 * the pixels already known or filled around it (and, weakly, the smooth first fill: ONION_GUIDE). A line that enters the hole (a rail, a roof's
 * edge) is continued step by step from where it enters, where a smooth fill would only diffuse
 * it into the colours around. Candidates: the sources on a grid (about ONION_GRID of them), the
 * best one's neighbours, and the matches of filled neighbours shifted along (coherence). `R` is
 * the patch radius, `sources` the centres of patches all of whose pixels may be copied (flagged in
 * `isSource`). Writes the hole pixels of `l.img`.
 */
export function onionPeel(l: PeelLevel, c: number, R: number, sources: Int32Array, isSource: Uint8Array): void {
  const { w, h, img, hole } = l;
  const SIDE = 2 * R + 1;
  const done = new Uint8Array(w * h);
  for (let p = 0; p < done.length; p++) done[p] = hole[p] ? 0 : 1;
  const match = new Int32Array(w * h).fill(-1);
  const stride = Math.max(1, Math.round(Math.sqrt(sources.length / ONION_GRID)));
  const grid = sources.filter((s) => ((s % w) % stride) === 0 && (Math.floor(s / w) % stride) === 0);
  const known = new Int32Array(SIDE * SIDE);
  const weight = new Float32Array(SIDE * SIDE);
  const isEdge = (p: number): boolean => {
    const x = p % w;
    const y = (p - x) / w;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const X = x + dx;
        const Y = y + dy;
        if (X >= 0 && Y >= 0 && X < w && Y < h && done[Y * w + X]) return true;
      }
    }
    return false;
  };
  let layer: number[] = [];
  for (let p = 0; p < hole.length; p++) if (hole[p] && isEdge(p)) layer.push(p);
  while (layer.length > 0) {
    const picked = new Int32Array(layer.length);
    for (const [i, p] of layer.entries()) {
      const x = p % w;
      const y = (p - x) / w;
      let n = 0;
      let wsum = 0;
      for (let dy = -R; dy <= R; dy++) {
        for (let dx = -R; dx <= R; dx++) {
          const X = x + dx;
          const Y = y + dy;
          if (X < 0 || Y < 0 || X >= w || Y >= h) continue;
          const wt = done[Y * w + X] ? 1 : ONION_GUIDE;
          weight[n] = wt;
          wsum += wt;
          known[n++] = dy * w + dx;
        }
      }
      let bestD = Infinity;
      let best = grid[0] ?? sources[0]!;
      const tryCand = (s: number): void => {
        let d = 0;
        const stop = bestD * wsum;
        for (let k = 0; k < n && d < stop; k++) {
          const a = (p + known[k]!) * c;
          const b = (s + known[k]!) * c;
          let e2 = 0;
          for (let ch = 0; ch < c; ch++) {
            const e = img[a + ch]! - img[b + ch]!;
            e2 += e * e;
          }
          d += weight[k]! * e2;
        }
        d /= wsum;
        if (d < bestD) {
          bestD = d;
          best = s;
        }
      };
      for (let j = 0; j < grid.length; j++) tryCand(grid[j]!);
      // Coherence: a filled neighbour's match, shifted by the step to p.
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const X = x + dx;
          const Y = y + dy;
          if (X < 0 || Y < 0 || X >= w || Y >= h) continue;
          const m = match[Y * w + X]!;
          if (m < 0) continue;
          const mx = (m % w) - dx;
          const my = Math.floor(m / w) - dy;
          if (mx >= 0 && my >= 0 && mx < w && my < h && isSource[my * w + mx]) tryCand(my * w + mx);
        }
      }
      const bx = best % w;
      const by = (best - bx) / w;
      for (let dy = -stride; dy <= stride; dy++) {
        for (let dx = -stride; dx <= stride; dx++) {
          const X = bx + dx;
          const Y = by + dy;
          if (X >= 0 && Y >= 0 && X < w && Y < h && isSource[Y * w + X]) tryCand(Y * w + X);
        }
      }
      picked[i] = best;
    }
    const next = new Set<number>();
    for (const [i, p] of layer.entries()) {
      const s = picked[i]!;
      for (let ch = 0; ch < c; ch++) img[p * c + ch] = img[s * c + ch]!;
      match[p] = s;
      done[p] = 1;
    }
    for (const p of layer) {
      const x = p % w;
      for (const q of [p - 1, p + 1, p - w, p + w, p - w - 1, p - w + 1, p + w - 1, p + w + 1]) {
        if (q >= 0 && q < w * h && Math.abs((q % w) - x) <= 1 && hole[q] && !done[q]) next.add(q);
      }
    }
    layer = [...next].filter(isEdge);
  }
}
