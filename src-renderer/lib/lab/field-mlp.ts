/**
 * The denoising vector field toy: a denoising autoencoder learns a vector field r(x) - x
 * pointing from corrupted points back to the data manifold, and behaves well only near the data
 * it saw. Points on a curve in the plane, corrupted with Gaussian noise; a 2-H-H-2
 * MLP denoising autoencoder learns r(corrupted) ~ clean with hand-written backprop and Adam.
 * Plain TypeScript, no DOM and no TensorFlow: it runs in a Web Worker (field-worker.ts) and in
 * unit tests.
 */

/** A small seeded generator (mulberry32) with Gaussian samples. */
export class ToyRng {
  private s: number;
  private spare: number | undefined;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  normal(): number {
    if (this.spare !== undefined) {
      const v = this.spare;
      this.spare = undefined;
      return v;
    }
    const u = 1 - this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(a);
    return r * Math.cos(a);
  }
}

export type CurveKind = 'circle' | 'spiral' | 'moons';

export const CURVES: { id: CurveKind; label: string }[] = [
  { id: 'spiral', label: 'Spiral' },
  { id: 'circle', label: 'Circle' },
  { id: 'moons', label: 'Two moons' },
];

/** `n` points on the curve, in roughly [-1, 1]^2 (x, y interleaved). */
export function curvePoints(kind: CurveKind, n: number, seed = 1): Float32Array {
  const rng = new ToyRng(seed);
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const t = rng.next();
    let x: number;
    let y: number;
    if (kind === 'circle') {
      x = 0.75 * Math.cos(2 * Math.PI * t);
      y = 0.75 * Math.sin(2 * Math.PI * t);
    } else if (kind === 'spiral') {
      const a = 0.6 + 3.4 * Math.PI * t;
      const r = 0.1 + 0.8 * t;
      x = r * Math.cos(a);
      y = r * Math.sin(a);
    } else {
      const upper = rng.next() < 0.5;
      const a = Math.PI * t;
      x = upper ? Math.cos(a) - 0.5 : 0.5 - Math.cos(a);
      y = upper ? Math.sin(a) - 0.2 : 0.2 - Math.sin(a);
      x *= 0.8;
      y *= 0.8;
    }
    out[2 * i] = x;
    out[2 * i + 1] = y;
  }
  return out;
}

/** Distance from (x, y) to the nearest data point, and that point. */
export function nearestPoint(points: Float32Array, x: number, y: number): { d: number; px: number; py: number } {
  let best = Infinity;
  let px = 0;
  let py = 0;
  for (let i = 0; i < points.length; i += 2) {
    const dx = points[i]! - x;
    const dy = points[i + 1]! - y;
    const d = dx * dx + dy * dy;
    if (d < best) {
      best = d;
      px = points[i]!;
      py = points[i + 1]!;
    }
  }
  return { d: Math.sqrt(best), px, py };
}

export type Activation = 'relu' | 'tanh';

/**
 * 2 -> H -> H -> 2 (linear output), trained with Adam on squared error. With ReLU units the net
 * is piecewise linear and extrapolates linearly far from the data it saw, which is where the
 * denoising field goes wrong; tanh units saturate and extrapolate more tamely.
 */
export class Mlp {
  readonly h: number;
  readonly activation: Activation;
  /** Parameters in one array: W1 (H x 2), b1 (H), W2 (H x H), b2 (H), W3 (2 x H), b3 (2). */
  readonly p: Float64Array;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private readonly g: Float64Array;
  private t = 0;
  private readonly o: { w1: number; b1: number; w2: number; b2: number; w3: number; b3: number };

  constructor(hidden = 64, seed = 1, activation: Activation = 'relu') {
    this.h = hidden;
    this.activation = activation;
    const H = hidden;
    const w1 = 0;
    const b1 = w1 + 2 * H;
    const w2 = b1 + H;
    const b2 = w2 + H * H;
    const w3 = b2 + H;
    const b3 = w3 + 2 * H;
    this.o = { w1, b1, w2, b2, w3, b3 };
    const size = b3 + 2;
    this.p = new Float64Array(size);
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
    this.g = new Float64Array(size);
    const rng = new ToyRng(seed);
    const gain = activation === 'relu' ? 2 : 1;
    for (let i = 0; i < 2 * H; i++) this.p[w1 + i] = rng.normal() * Math.sqrt(gain / 2);
    for (let i = 0; i < H * H; i++) this.p[w2 + i] = rng.normal() * Math.sqrt(gain / H);
    // Spread the first layer's kinks over the data's range.
    for (let i = 0; i < H; i++) this.p[b1 + i] = activation === 'relu' ? 0.5 * rng.normal() : 0;
    for (let i = 0; i < 2 * H; i++) this.p[w3 + i] = rng.normal() * Math.sqrt(1 / H);
  }

  /** r(x): the reconstruction of one point. */
  forward(x: number, y: number, a1 = new Float64Array(this.h), a2 = new Float64Array(this.h)): [number, number] {
    const { h: H, p } = this;
    const { w1, b1, w2, b2, w3, b3 } = this.o;
    const act = this.activation === 'relu' ? (z: number): number => (z > 0 ? z : 0) : Math.tanh;
    for (let j = 0; j < H; j++) a1[j] = act(p[w1 + 2 * j]! * x + p[w1 + 2 * j + 1]! * y + p[b1 + j]!);
    for (let j = 0; j < H; j++) {
      let s = p[b2 + j]!;
      for (let k = 0; k < H; k++) s += p[w2 + j * H + k]! * a1[k]!;
      a2[j] = act(s);
    }
    let ox = p[b3]!;
    let oy = p[b3 + 1]!;
    for (let k = 0; k < H; k++) {
      ox += p[w3 + k]! * a2[k]!;
      oy += p[w3 + H + k]! * a2[k]!;
    }
    return [ox, oy];
  }

  /**
   * One Adam step on a batch: inputs and targets interleaved (x, y). Returns the mean squared
   * error before the step.
   */
  step(inputs: Float32Array, targets: Float32Array, lr: number): number {
    const { h: H, p, g } = this;
    const { w1, b1, w2, b2, w3, b3 } = this.o;
    const n = inputs.length / 2;
    g.fill(0);
    const a1 = new Float64Array(H);
    const a2 = new Float64Array(H);
    const d2 = new Float64Array(H);
    const d1 = new Float64Array(H);
    let loss = 0;
    // Derivative of the activation from its output: tanh' = 1 - a^2, relu' = [a > 0].
    const slope = this.activation === 'relu' ? (a: number): number => (a > 0 ? 1 : 0) : (a: number): number => 1 - a * a;
    for (let s = 0; s < n; s++) {
      const x = inputs[2 * s]!;
      const y = inputs[2 * s + 1]!;
      const [ox, oy] = this.forward(x, y, a1, a2);
      const ex = ox - targets[2 * s]!;
      const ey = oy - targets[2 * s + 1]!;
      loss += ex * ex + ey * ey;
      // d(mean over batch of |e|^2 / 2 ... ) : gradient of 0.5 * sum e^2 / n.
      const gx = ex / n;
      const gy = ey / n;
      g[b3]! += gx;
      g[b3 + 1]! += gy;
      for (let k = 0; k < H; k++) {
        g[w3 + k]! += gx * a2[k]!;
        g[w3 + H + k]! += gy * a2[k]!;
        d2[k] = (gx * p[w3 + k]! + gy * p[w3 + H + k]!) * slope(a2[k]!);
      }
      d1.fill(0);
      for (let j = 0; j < H; j++) {
        const dj = d2[j]!;
        if (dj === 0) continue;
        g[b2 + j]! += dj;
        const row = w2 + j * H;
        for (let k = 0; k < H; k++) {
          g[row + k]! += dj * a1[k]!;
          d1[k]! += dj * p[row + k]!;
        }
      }
      for (let k = 0; k < H; k++) {
        const dk = d1[k]! * slope(a1[k]!);
        g[b1 + k]! += dk;
        g[w1 + 2 * k]! += dk * x;
        g[w1 + 2 * k + 1]! += dk * y;
      }
    }
    this.adam(lr);
    return loss / n / 2;
  }

  private adam(lr: number): void {
    const b1 = 0.9;
    const b2 = 0.999;
    this.t++;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    const { p, g, m, v } = this;
    for (let i = 0; i < p.length; i++) {
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! * g[i]!;
      p[i]! -= (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + 1e-8);
    }
  }

  /** The last gradient (for tests). */
  gradient(): Float64Array {
    return this.g;
  }
}

export interface FieldGrid {
  /** Grid points per side. */
  n: number;
  /** Half width of the square shown ([-extent, extent]^2). */
  extent: number;
  /** r(x) - x at each grid point (x, y interleaved), row-major from the top-left (y up). */
  vectors: Float32Array;
}

/** The field r(x) - x on an n x n grid over [-extent, extent]^2 (first row at y = +extent). */
export function fieldGrid(net: Mlp, n: number, extent: number): FieldGrid {
  const vectors = new Float32Array(2 * n * n);
  for (let r = 0; r < n; r++) {
    const y = extent - ((r + 0.5) * 2 * extent) / n;
    for (let c = 0; c < n; c++) {
      const x = -extent + ((c + 0.5) * 2 * extent) / n;
      const [ox, oy] = net.forward(x, y);
      vectors[2 * (r * n + c)] = ox - x;
      vectors[2 * (r * n + c) + 1] = oy - y;
    }
  }
  return { n, extent, vectors };
}

export interface FieldStats {
  /** Mean cosine between r(x) - x and the direction to the nearest data point, for grid points near the data. */
  nearAlignment: number;
  /** The same for grid points far from the data. */
  farAlignment: number;
  /** Mean |(r(x) - x) - (nearest - x)| / |nearest - x| near the data: 0 = points exactly back to it. */
  nearError: number;
  /** The same far from the data. */
  farError: number;
  /** Mean |r(x) - x| / distance to the data near it: ~1 = the arrow reaches the data. */
  nearReach: number;
  /** The same far away: well above 1 = the arrow overshoots (heads for where the data is on the whole). */
  farReach: number;
  nearCount: number;
  farCount: number;
}

/**
 * How well the field points back to the data: near it (between `near[0]` and `near[1]` from the
 * nearest data point: the noise's reach) the arrows should point at the data and about reach it;
 * far away (beyond `far`) nothing taught them to.
 */
export function fieldStats(grid: FieldGrid, data: Float32Array, near: [number, number], far: number): FieldStats {
  const { n, extent, vectors } = grid;
  const acc = { near: { cos: 0, err: 0, reach: 0, n: 0 }, far: { cos: 0, err: 0, reach: 0, n: 0 } };
  for (let r = 0; r < n; r++) {
    const y = extent - ((r + 0.5) * 2 * extent) / n;
    for (let c = 0; c < n; c++) {
      const x = -extent + ((c + 0.5) * 2 * extent) / n;
      const { d, px, py } = nearestPoint(data, x, y);
      const band = d >= near[0] && d <= near[1] ? acc.near : d > far ? acc.far : undefined;
      if (!band) continue;
      const vx = vectors[2 * (r * n + c)]!;
      const vy = vectors[2 * (r * n + c) + 1]!;
      const tx = px - x;
      const ty = py - y;
      band.cos += (vx * tx + vy * ty) / (Math.hypot(vx, vy) * d + 1e-12);
      band.err += Math.hypot(vx - tx, vy - ty) / d;
      band.reach += Math.hypot(vx, vy) / d;
      band.n++;
    }
  }
  const mean = (s: number, k: number): number => (k ? s / k : 0);
  return {
    nearAlignment: mean(acc.near.cos, acc.near.n), farAlignment: mean(acc.far.cos, acc.far.n),
    nearError: mean(acc.near.err, acc.near.n), farError: mean(acc.far.err, acc.far.n),
    nearReach: mean(acc.near.reach, acc.near.n), farReach: mean(acc.far.reach, acc.far.n), nearCount: acc.near.n, farCount: acc.far.n,
  };
}

/** A training batch: random data points (clean targets) and their corrupted copies (inputs). */
export function noisyBatch(data: Float32Array, size: number, sigma: number, rng: ToyRng, inputs: Float32Array, targets: Float32Array): void {
  const n = data.length / 2;
  for (let s = 0; s < size; s++) {
    const i = Math.floor(rng.next() * n);
    targets[2 * s] = data[2 * i]!;
    targets[2 * s + 1] = data[2 * i + 1]!;
    inputs[2 * s] = data[2 * i]! + sigma * rng.normal();
    inputs[2 * s + 1] = data[2 * i + 1]! + sigma * rng.normal();
  }
}
