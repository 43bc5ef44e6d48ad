/**
 * Deterministic photo-like scenes: a sky gradient over textured ground, shaded objects with
 * anti-aliased (some defocused) edges, striped and mottled surfaces, soft lighting and
 * vignetting. The autoencoder lab trains on them when no photos are given, and the tests use
 * them as stand-in photographs. Fast: one pass per object over its bounding box.
 */
import { type Raster } from '../image/raster.js';
import { Rng } from '../math/rng.js';

type Rgb = [number, number, number];

function randomColour(rng: Rng, lo = 0.15, hi = 0.85): Rgb {
  return [rng.uniform(lo, hi), rng.uniform(lo, hi), rng.uniform(lo, hi)];
}

/** Smooth value noise: random lattice values, smoothstep-interpolated. */
class ValueNoise {
  private readonly grid: Float32Array;
  private readonly gw: number;
  private readonly gh: number;
  constructor(
    rng: Rng,
    private readonly cell: number,
    width: number,
    height: number,
  ) {
    this.gw = Math.ceil(width / cell) + 2;
    this.gh = Math.ceil(height / cell) + 2;
    this.grid = new Float32Array(this.gw * this.gh);
    for (let i = 0; i < this.grid.length; i++) this.grid[i] = rng.next() * 2 - 1;
  }
  at(x: number, y: number): number {
    const fx = x / this.cell;
    const fy = y / this.cell;
    const ix = Math.floor(fx);
    const iy = Math.floor(fy);
    let tx = fx - ix;
    let ty = fy - iy;
    tx = tx * tx * (3 - 2 * tx);
    ty = ty * ty * (3 - 2 * ty);
    const g = this.grid;
    const { gw, gh } = this;
    // Wrap, so any coordinates are valid.
    const x0 = ((ix % gw) + gw) % gw;
    const x1 = x0 + 1 === gw ? 0 : x0 + 1;
    const r0 = (((iy % gh) + gh) % gh) * gw;
    const r1 = r0 + gw === gw * gh ? 0 : r0 + gw;
    const top = g[r0 + x0]! + (g[r0 + x1]! - g[r0 + x0]!) * tx;
    const bottom = g[r1 + x0]! + (g[r1 + x1]! - g[r1 + x0]!) * tx;
    return top + (bottom - top) * ty;
  }
}

interface Shape {
  /** Signed distance in px (negative inside) at (x, y). */
  sd(x: number, y: number): number;
  box: [number, number, number, number];
}

function makeShape(rng: Rng, width: number, height: number): Shape {
  const s = Math.min(width, height);
  const cx = rng.uniform(-0.05, 1.05) * width;
  const cy = rng.uniform(0.1, 1.05) * height;
  const angle = rng.uniform(0, Math.PI);
  const ca = Math.cos(angle);
  const sa = Math.sin(angle);
  const kind = rng.int(3);
  const rx = rng.uniform(0.06, 0.3) * s;
  const ry = rx * rng.uniform(0.4, 1.2);
  const reach = Math.max(rx, ry) + 4;
  const box: [number, number, number, number] = [cx - reach, cy - reach, cx + reach, cy + reach];
  if (kind === 0) {
    const m = Math.min(rx, ry);
    return {
      box,
      sd(x, y) {
        const u = (x - cx) * ca + (y - cy) * sa;
        const v = -(x - cx) * sa + (y - cy) * ca;
        return (Math.sqrt((u / rx) ** 2 + (v / ry) ** 2) - 1) * m;
      },
    };
  }
  if (kind === 1) {
    return {
      box,
      sd(x, y) {
        const u = (x - cx) * ca + (y - cy) * sa;
        const v = -(x - cx) * sa + (y - cy) * ca;
        return Math.max(Math.abs(u) - rx * 0.7, Math.abs(v) - ry * 0.7);
      },
    };
  }
  // Triangle: three half-planes (unit normals) around the centre.
  const normals: [number, number, number][] = [];
  const a0 = rng.uniform(0, 2 * Math.PI);
  for (let k = 0; k < 3; k++) {
    const a = a0 + (k * 2 * Math.PI) / 3 + rng.uniform(-0.3, 0.3);
    normals.push([Math.cos(a), Math.sin(a), rx * rng.uniform(0.4, 0.7)]);
  }
  return {
    box,
    sd(x, y) {
      let d = -Infinity;
      for (const [nx, ny, off] of normals) d = Math.max(d, (x - cx) * nx + (y - cy) * ny - off);
      return d;
    },
  };
}

/** A plausible photo-like scene, values in [0,1], channels 1 or 3. Same seed, same image. */
export function naturalImage(width: number, height: number, channels: number, seed: number): Raster {
  const rng = new Rng(seed);
  const rgb = new Float32Array(width * height * 3);

  // Sky and ground.
  const skyTop = randomColour(rng, 0.35, 0.8);
  const skyBottom = randomColour(rng, 0.5, 0.9);
  const ground = randomColour(rng, 0.2, 0.6);
  const horizon = rng.uniform(0.35, 0.65) * height;
  const tilt = rng.uniform(-0.15, 0.15);
  const clouds = new ValueNoise(rng, Math.max(8, width / 4), width, height);
  const mottle = new ValueNoise(rng, Math.max(4, width / 16), width, height);
  const grain = new ValueNoise(rng, 6, width, height);
  const grassFreq = rng.uniform(0.25, 0.5);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const h = horizon + tilt * (x - width / 2);
      const edge = Math.min(1, Math.max(0, 0.5 + (y - h) / 1.5)); // 0 sky, 1 ground
      const t = Math.min(1, Math.max(0, y / Math.max(1, h)));
      const cloud = 0.06 * clouds.at(x, y);
      const depth = Math.max(0, (y - h) / Math.max(1, height - h)); // 0 at horizon, 1 at bottom
      const tex =
        0.07 * mottle.at(x, y) +
        depth * (0.05 * grain.at(x, y) + 0.025 * Math.sin(x * grassFreq + 3 * mottle.at(y, x)));
      const shade = 0.85 + 0.25 * depth;
      for (let c = 0; c < 3; c++) {
        const sky = skyTop[c]! + (skyBottom[c]! - skyTop[c]!) * t + cloud;
        const gnd = ground[c]! * shade + tex;
        rgb[i + c] = sky + (gnd - sky) * edge;
      }
    }
  }

  // Objects, back to front.
  const nShapes = 5 + rng.int(5);
  for (let n = 0; n < nShapes; n++) {
    const shape = makeShape(rng, width, height);
    const base = randomColour(rng);
    const soft = rng.next() < 0.25 ? rng.uniform(1.5, 4) : rng.uniform(0.5, 1); // some defocused
    const la = rng.uniform(0, 2 * Math.PI);
    const lx = Math.cos(la) / Math.min(width, height);
    const ly = Math.sin(la) / Math.min(width, height);
    const shading = rng.uniform(0.2, 0.5);
    const striped = rng.next() < 0.4;
    const sf = rng.uniform(0.3, 0.9); // radians per px: periods of ~7-20 px
    const sa = rng.uniform(0, Math.PI);
    const sdx = Math.cos(sa) * sf;
    const sdy = Math.sin(sa) * sf;
    const samp = rng.uniform(0.03, 0.08);
    const [bx0, by0, bx1, by1] = shape.box;
    const x0 = Math.max(0, Math.floor(bx0 - soft));
    const y0 = Math.max(0, Math.floor(by0 - soft));
    const x1 = Math.min(width - 1, Math.ceil(bx1 + soft));
    const y1 = Math.min(height - 1, Math.ceil(by1 + soft));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const d = shape.sd(x + 0.5, y + 0.5);
        const alpha = Math.min(1, Math.max(0, 0.5 - d / soft));
        if (alpha === 0) continue;
        const light = 1 + shading * ((x - (bx0 + bx1) / 2) * lx + (y - (by0 + by1) / 2) * ly);
        const texture = striped ? samp * Math.sin(x * sdx + y * sdy) : 0.04 * mottle.at(y + 7, x + 3);
        const i = (y * width + x) * 3;
        for (let c = 0; c < 3; c++) {
          const v = base[c]! * light + texture;
          rgb[i + c] = rgb[i + c]! + (v - rgb[i + c]!) * alpha;
        }
      }
    }
  }

  // Vignetting, then output.
  const out = new Float32Array(width * height * channels);
  const cxm = width / 2;
  const cym = height / 2;
  const r2 = cxm * cxm + cym * cym;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const vig = 1 - 0.25 * (((x - cxm) ** 2 + (y - cym) ** 2) / r2);
      const r = rgb[p * 3]! * vig;
      const g = rgb[p * 3 + 1]! * vig;
      const b = rgb[p * 3 + 2]! * vig;
      if (channels === 1) {
        out[p] = Math.min(1, Math.max(0, 0.299 * r + 0.587 * g + 0.114 * b));
      } else {
        out[p * 3] = Math.min(1, Math.max(0, r));
        out[p * 3 + 1] = Math.min(1, Math.max(0, g));
        out[p * 3 + 2] = Math.min(1, Math.max(0, b));
      }
    }
  }
  return { width, height, channels, data: out };
}
