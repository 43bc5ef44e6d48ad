// "Suggest mask" on one photo (issue 21, point 6): on a sky with leaves, a soft dust shadow and
// a hot pixel, the suggested mask covers the shadow with its halo and the hot pixel, and leaves
// the leaves' edges alone (the network rebuilds them imperfectly; they are not damage).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/math/rng.js';
import { anomalyMap } from '../../../src-main/core/infer/anomaly.js';
import type { Raster } from '../../../src-main/core/image/raster.js';
import { naturalImage } from '../../../src-main/core/lab/scenes.js';
import { resolveModel } from '../../../src-main/core/models/registry.js';

const W = 256;
const H = 192;
const SPOT = { x: 196, y: 52, sigma: 4, depth: 0.1 };
const HOT = { x: 60, y: 30 };

/** A sky gradient with a bough of sharp-edged, veined leaves, a soft dust shadow and a hot pixel. */
function leafyPhoto(): { raster: Raster; leaf: Uint8Array } {
  const rng = new Rng(21);
  const data = new Float32Array(W * H * 3);
  const leaf = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const t = y / H;
      const p = (y * W + x) * 3;
      data[p] = 0.45 + 0.2 * t;
      data[p + 1] = 0.6 + 0.15 * t;
      data[p + 2] = 0.85 - 0.05 * t;
    }
  }
  for (let i = 0; i < 45; i++) {
    const cx = rng.uniform(10, 150);
    const cy = rng.uniform(70, 185);
    const rx = rng.uniform(7, 15);
    const ry = rng.uniform(3, 7);
    const a = rng.uniform(0, Math.PI);
    const shade = rng.uniform(0.6, 1.2);
    for (let y = Math.max(0, Math.floor(cy - rx)); y < Math.min(H, cy + rx); y++) {
      for (let x = Math.max(0, Math.floor(cx - rx)); x < Math.min(W, cx + rx); x++) {
        const u = ((x - cx) * Math.cos(a) + (y - cy) * Math.sin(a)) / rx;
        const v = (-(x - cx) * Math.sin(a) + (y - cy) * Math.cos(a)) / ry;
        if (u * u + v * v > 1) continue;
        const p = (y * W + x) * 3;
        const vein = Math.abs(v) < 0.15 ? 0.08 : 0;
        data[p] = 0.12 * shade + vein;
        data[p + 1] = 0.3 * shade + vein;
        data[p + 2] = 0.08 * shade + vein;
        leaf[y * W + x] = 1;
      }
    }
  }
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const k = 1 - SPOT.depth * Math.exp(-((x - SPOT.x) ** 2 + (y - SPOT.y) ** 2) / (2 * SPOT.sigma ** 2));
      for (let c = 0; c < 3; c++) {
        const p = (y * W + x) * 3 + c;
        data[p] = Math.min(1, Math.max(0, data[p]! * k + 0.004 * rng.normal()));
      }
    }
  }
  for (let c = 0; c < 3; c++) data[(HOT.y * W + HOT.x) * 3 + c] = Math.min(1, data[(HOT.y * W + HOT.x) * 3 + c]! + 0.4);
  return { raster: { width: W, height: H, channels: 3, data }, leaf };
}

describe('Suggest mask on one photo', () => {
  it('marks the soft spot with its halo and the hot pixel, not the leaf edges', async () => {
    const { raster, leaf } = leafyPhoto();
    const model = await resolveModel(undefined, 'denoise', 3);
    const res = await anomalyMap(raster, model, { threshold: 6 });
    // Leaf outline: leaf pixels next to sky.
    let edges = 0;
    let edgesMarked = 0;
    for (let y = 1; y < H - 1; y++) {
      for (let x = 1; x < W - 1; x++) {
        const p = y * W + x;
        if (!leaf[p] || (leaf[p - 1] && leaf[p + 1] && leaf[p - W] && leaf[p + W])) continue;
        edges++;
        if (res.mask[p]) edgesMarked++;
      }
    }
    let halo = 0;
    let haloMarked = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (SPOT.depth * Math.exp(-((x - SPOT.x) ** 2 + (y - SPOT.y) ** 2) / (2 * SPOT.sigma ** 2)) < 0.015) continue;
        halo++;
        if (res.mask[y * W + x]) haloMarked++;
      }
    }
    console.log(`leaf edges marked ${edgesMarked}/${edges}; spot shadow (>= 1.5%) marked ${haloMarked}/${halo}; hot pixel ${res.mask[HOT.y * W + HOT.x]}`);
    expect(res.mask[HOT.y * W + HOT.x]).toBe(1);
    expect(haloMarked / halo).toBeGreaterThan(0.98);
    expect(edgesMarked / edges).toBeLessThan(0.02);
  });

  it('finds no soft spot in the mottle of a generated landscape, and still every hot pixel', async () => {
    // The mottle of grass and clouds has dark dips as soft as a dust shadow; they are not dust.
    const scene = naturalImage(192, 160, 3, 7);
    const spots = [[30, 30], [100, 50], [150, 120], [60, 140]] as const;
    for (const [x, y] of spots) for (let k = 0; k < 3; k++) scene.data[(y * 192 + x) * 3 + k] = 1;
    const res = await anomalyMap(scene, await resolveModel(undefined, 'denoise', 3), { threshold: 6 });
    expect(res.spots).toEqual([]);
    for (const [x, y] of spots) expect(res.mask[y * 192 + x]).toBe(1);
    expect(res.mask.reduce((a, v) => a + v, 0) / res.mask.length).toBeLessThan(0.01);
  });
});
