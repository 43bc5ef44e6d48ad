// Generated photo shoots for the lab's tests: frames of changing content that share sensor dust
// and hot pixels at fixed places (the anomaly finder), and folders of near-duplicates (crops,
// shifts, exposure changes, noise) for similar-image search.
import { Rng } from '../../src-main/core/math/rng.js';
import { type Raster } from '../../src-main/core/image/raster.js';
import { naturalImage } from '../../src-main/core/lab/scenes.js';

export interface TrueSpot {
  kind: 'dust' | 'hot';
  x: number;
  y: number;
  /** Dust: the visible radius; hot: 0. */
  radius: number;
  /** Dust: peak darkening (0.2 = 20% less light); hot: added brightness. */
  strength: number;
}

export interface Shoot {
  frames: Raster[];
  spots: TrueSpot[];
}

/** `count` frames of random scenes with the same dust spots and hot pixels, plus sensor noise. */
export function dustyShoot(count: number, width: number, height: number, seed: number, dustSpots = 12, hotPixels = 4): Shoot {
  const rng = new Rng(seed);
  const spots: TrueSpot[] = [];
  const margin = 12;
  const farFromOthers = (x: number, y: number, r: number): boolean => spots.every((s) => Math.hypot(s.x - x, s.y - y) > s.radius + r + 6);
  while (spots.filter((s) => s.kind === 'dust').length < dustSpots) {
    const radius = rng.uniform(3, 8);
    const x = rng.uniform(margin, width - margin);
    const y = rng.uniform(margin, height - margin);
    if (farFromOthers(x, y, radius)) spots.push({ kind: 'dust', x, y, radius, strength: rng.uniform(0.1, 0.3) });
  }
  while (spots.filter((s) => s.kind === 'hot').length < hotPixels) {
    const x = Math.floor(rng.uniform(margin, width - margin));
    const y = Math.floor(rng.uniform(margin, height - margin));
    if (farFromOthers(x, y, 2)) spots.push({ kind: 'hot', x, y, radius: 0, strength: rng.uniform(0.3, 0.5) });
  }
  // Transmission of the sensor: soft Gaussian shadows (sigma = radius / 2).
  const transmission = new Float32Array(width * height).fill(1);
  for (const s of spots) {
    if (s.kind !== 'dust') continue;
    const sg = s.radius / 2;
    for (let y = Math.max(0, Math.floor(s.y - 3 * sg)); y <= Math.min(height - 1, Math.ceil(s.y + 3 * sg)); y++) {
      for (let x = Math.max(0, Math.floor(s.x - 3 * sg)); x <= Math.min(width - 1, Math.ceil(s.x + 3 * sg)); x++) {
        const d2 = (x - s.x) ** 2 + (y - s.y) ** 2;
        transmission[y * width + x]! *= 1 - s.strength * Math.exp(-d2 / (2 * sg * sg));
      }
    }
  }
  const frames: Raster[] = [];
  for (let f = 0; f < count; f++) {
    const img = naturalImage(width, height, 3, seed * 7919 + f * 31 + 1);
    const noise = new Rng(seed + 1000 + f);
    for (let p = 0; p < width * height; p++) {
      for (let c = 0; c < 3; c++) {
        const v = img.data[p * 3 + c]! * transmission[p]! + 0.01 * noise.normal();
        img.data[p * 3 + c] = Math.min(1, Math.max(0, v));
      }
    }
    for (const s of spots) {
      if (s.kind !== 'hot') continue;
      const p = s.y * width + s.x;
      for (let c = 0; c < 3; c++) img.data[p * 3 + c] = Math.min(1, img.data[p * 3 + c]! + s.strength);
    }
    frames.push(img);
  }
  return { frames, spots };
}

/** Matches found spots to true ones: recall over the true spots, false spots over the found ones. */
export function scoreSpots(truth: TrueSpot[], found: { kind: string; x: number; y: number }[]): { recall: number; falseRate: number; missed: TrueSpot[]; extra: typeof found } {
  const hit = new Set<number>();
  const extra: typeof found = [];
  for (const f of found) {
    const i = truth.findIndex((t) => t.kind === f.kind && Math.hypot(t.x - f.x, t.y - f.y) <= (t.kind === 'hot' ? 1.5 : Math.max(3, t.radius)));
    if (i >= 0) hit.add(i);
    else extra.push(f);
  }
  return {
    recall: hit.size / truth.length,
    falseRate: found.length ? extra.length / found.length : 0,
    missed: truth.filter((_, i) => !hit.has(i)),
    extra,
  };
}

export interface NearDuplicateFolder {
  /** File name -> group name (the base scene), for every file written. */
  groups: Map<string, string>;
  files: string[];
}

/**
 * Writes `scenes` groups of near-duplicates into `dir`: each scene as shot, a crop (85%), a
 * shifted frame (5% of the width), an exposure change (x1.3 or x0.75 in light) and a noisy copy,
 * plus `singles` unrelated images. PNG files named scene-G-variant.png and single-N.png.
 */
export async function writeNearDuplicates(dir: string, scenes: number, singles: number, seed: number, width = 192, height = 128): Promise<NearDuplicateFolder> {
  const { writeImage } = await import('../../src-main/core/image/io.js');
  const groups = new Map<string, string>();
  const files: string[] = [];
  const rng = new Rng(seed);
  const bigW = Math.round(width * 1.12);
  const bigH = Math.round(height * 1.12);
  const crop = (r: Raster, x0: number, y0: number, w: number, h: number): Raster => {
    const out = new Float32Array(w * h * 3);
    for (let y = 0; y < h; y++) out.set(r.data.subarray(((y0 + y) * r.width + x0) * 3, ((y0 + y) * r.width + x0 + w) * 3), y * w * 3);
    return { width: w, height: h, channels: 3, data: out };
  };
  const save = async (name: string, r: Raster, group: string): Promise<void> => {
    await writeImage(`${dir}/${name}`, { raster: r, bitDepth: 8, format: 'png' }, { keepMetadata: false });
    files.push(name);
    if (group) groups.set(name, group);
  };
  for (let g = 0; g < scenes; g++) {
    // A slightly larger scene, so crops and shifts stay inside it.
    const scene = naturalImage(bigW, bigH, 3, seed * 1000 + g);
    const mx = Math.floor((bigW - width) / 2);
    const my = Math.floor((bigH - height) / 2);
    const base = crop(scene, mx, my, width, height);
    const group = `scene-${g}`;
    await save(`${group}-a-original.png`, base, group);
    const cw = Math.round(width * 0.85);
    const ch = Math.round(height * 0.85);
    await save(`${group}-b-crop.png`, crop(scene, mx + Math.round(rng.uniform(0, width - cw)), my + Math.round(rng.uniform(0, height - ch)), cw, ch), group);
    const dx = Math.round(width * 0.05) * (rng.next() < 0.5 ? -1 : 1);
    await save(`${group}-c-shift.png`, crop(scene, mx + dx, my, width, height), group);
    const gain = rng.next() < 0.5 ? 1.3 : 0.75;
    await save(`${group}-d-exposure.png`, { ...base, data: base.data.map((v) => Math.min(1, (v ** 2.2 * gain) ** (1 / 2.2))) }, group);
    const noise = new Rng(seed + 77 + g);
    await save(`${group}-e-noise.png`, { ...base, data: base.data.map((v) => Math.min(1, Math.max(0, v + 0.05 * noise.normal()))) }, group);
  }
  for (let s = 0; s < singles; s++) await save(`single-${s}.png`, naturalImage(width, height, 3, seed * 1000 + 500 + s), '');
  return { groups, files };
}

/** Mean over the grouped files of (group mates among the k nearest) / (group size - 1). */
export function recallAtK(groups: Map<string, string>, neighbours: (file: string) => string[], k: number): number {
  let sum = 0;
  let n = 0;
  for (const [file, group] of groups) {
    const mates = [...groups].filter(([f, g]) => g === group && f !== file).map(([f]) => f);
    const top = neighbours(file).slice(0, k);
    sum += mates.filter((m) => top.includes(m)).length / Math.max(1, Math.min(k, mates.length));
    n++;
  }
  return sum / Math.max(1, n);
}
