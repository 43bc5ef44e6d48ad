/**
 * Image filters for finding soft spots (shoot-wide dust, one image's soft spots): luminance,
 * a box blur and a robust local median background, and 8-connected components.
 */
import type { Raster } from '../image/raster.js';

/** Median of the first n values (reorders them). */
export function medianOf(v: Float32Array, n: number): number {
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
