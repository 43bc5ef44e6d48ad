/**
 * The inpainting mask as the editor holds it: one byte per image pixel (0 = keep, 255 = fill),
 * at the image's own resolution. Soft brushes leave values in between; the engine fills where
 * the value is above half (> 127), so everything here treats 128 as the on/off line.
 *
 * Pure functions over typed arrays: the viewer never loops over pixels per frame, it only
 * converts the small rectangle a brush stamp touched (maskToRgba) and hands whole-mask work
 * (grow, shrink, invert, encode) to a worker that calls these same functions.
 */
export interface Mask {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type BrushMode = 'paint' | 'erase';

export const MASK_ON = 128;

export function createMask(width: number, height: number): Mask {
  return { width, height, data: new Uint8Array(width * height) };
}

export function cloneMask(m: Mask): Mask {
  return { width: m.width, height: m.height, data: m.data.slice() };
}

export function fullRect(m: { width: number; height: number }): Rect {
  return { x: 0, y: 0, w: m.width, h: m.height };
}

export function unionRect(a: Rect | null, b: Rect | null): Rect | null {
  if (!a) return b;
  if (!b) return a;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

/** Clips a rectangle to the image; null when nothing is left. */
export function clipRect(r: Rect, width: number, height: number): Rect | null {
  const x0 = Math.max(0, Math.floor(r.x));
  const y0 = Math.max(0, Math.floor(r.y));
  const x1 = Math.min(width, Math.ceil(r.x + r.w));
  const y1 = Math.min(height, Math.ceil(r.y + r.h));
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : null;
}

/**
 * Brush opacity (0..1) at distance d from the centre of a brush of `radius` with `softness`
 * (0 = hard edge, 1 = falls off from the centre). Smoothstep between the hard core and the rim.
 */
export function brushAlpha(d: number, radius: number, softness: number): number {
  if (d >= radius) return 0;
  const s = Math.min(1, Math.max(0, softness));
  const core = radius * (1 - s);
  if (d <= core) return 1;
  const t = (radius - d) / (radius - core);
  return t * t * (3 - 2 * t);
}

/**
 * Stamps one round brush dab centred on image point (cx, cy) (pixel centres are at +0.5).
 * Painting takes the maximum with what is there and erasing the minimum, so going over the same
 * place twice within a stroke does not build up. Returns the rectangle it changed, or null.
 */
export function stampBrush(m: Mask, cx: number, cy: number, radius: number, softness: number, mode: BrushMode): Rect | null {
  const r = Math.max(0.5, radius);
  const rect = clipRect({ x: cx - r, y: cy - r, w: 2 * r, h: 2 * r }, m.width, m.height);
  if (!rect) return null;
  const { data, width } = m;
  for (let y = rect.y; y < rect.y + rect.h; y++) {
    const dy = y + 0.5 - cy;
    for (let x = rect.x; x < rect.x + rect.w; x++) {
      const dx = x + 0.5 - cx;
      const a = brushAlpha(Math.sqrt(dx * dx + dy * dy), r, softness);
      if (a <= 0) continue;
      const i = y * width + x;
      const v = Math.round(a * 255);
      if (mode === 'paint') {
        if (v > data[i]!) data[i] = v;
      } else {
        const keep = 255 - v;
        if (keep < data[i]!) data[i] = keep;
      }
    }
  }
  return rect;
}

/**
 * Stamps dabs along the segment from (x0, y0) to (x1, y1), excluding the start (which the
 * previous call stamped), every `spacing` pixels (a quarter of the radius by default).
 */
export function strokeSegment(
  m: Mask,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  radius: number,
  softness: number,
  mode: BrushMode,
  spacing = Math.max(0.5, radius * 0.25),
): Rect | null {
  const dist = Math.hypot(x1 - x0, y1 - y0);
  const n = Math.max(1, Math.ceil(dist / spacing));
  let dirty: Rect | null = null;
  for (let k = 1; k <= n; k++) {
    const t = k / n;
    dirty = unionRect(dirty, stampBrush(m, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, radius, softness, mode));
  }
  return dirty;
}

export function invertMask(m: Mask): Mask {
  const out = new Uint8Array(m.data.length);
  for (let i = 0; i < out.length; i++) out[i] = 255 - m.data[i]!;
  return { width: m.width, height: m.height, data: out };
}

/** Pixels at or above the on/off line (what the engine will fill). */
export function countOn(m: Mask): number {
  let n = 0;
  for (let i = 0; i < m.data.length; i++) if (m.data[i]! >= MASK_ON) n++;
  return n;
}

/** The smallest rectangle holding every non-zero pixel, or null for an empty mask. */
export function boundsOf(m: Mask): Rect | null {
  let x0 = m.width, y0 = m.height, x1 = -1, y1 = -1;
  for (let y = 0; y < m.height; y++) {
    const row = y * m.width;
    for (let x = 0; x < m.width; x++) {
      if (m.data[row + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

const INF = 1e20;

/** Felzenszwalb & Huttenlocher's exact 1-D squared distance transform of f (length n). */
function dt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -INF;
  z[1] = INF;
  for (let q = 1; q < n; q++) {
    let s = ((f[q]! + q * q) - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    while (s <= z[k]!) {
      k--;
      s = ((f[q]! + q * q) - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = INF;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1]! < q) k++;
    const dq = q - v[k]!;
    d[q] = dq * dq + f[v[k]!]!;
  }
}

/**
 * Squared Euclidean distance from every pixel to the nearest pixel where `inside(value)` holds
 * (0 for those pixels themselves). Two separable passes, linear in the pixel count.
 */
export function squaredDistanceTo(m: Mask, inside: (v: number) => boolean): Float64Array {
  const { width: w, height: h, data } = m;
  const dist = new Float64Array(w * h);
  for (let i = 0; i < dist.length; i++) dist[i] = inside(data[i]!) ? 0 : INF;
  const n = Math.max(w, h);
  const f = new Float64Array(n);
  const d = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) f[y] = dist[y * w + x]!;
    dt1d(f, h, d, v, z);
    for (let y = 0; y < h; y++) dist[y * w + x] = d[y]!;
  }
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) f[x] = dist[row + x]!;
    dt1d(f, w, d, v, z);
    for (let x = 0; x < w; x++) dist[row + x] = d[x]!;
  }
  return dist;
}

/**
 * Grows the mask by `radius` pixels (a disc: Euclidean distance <= radius from a masked pixel
 * becomes fully masked). Growing one pixel by 1 gives a plus-shaped cross of five; by 2 a
 * 13-pixel disc. Soft values outside the grown area are kept.
 */
export function growMask(m: Mask, radius: number): Mask {
  const r = Math.max(0, Math.round(radius));
  if (r === 0) return cloneMask(m);
  const dist = squaredDistanceTo(m, (v) => v >= MASK_ON);
  const r2 = r * r;
  const out = m.data.slice();
  for (let i = 0; i < out.length; i++) if (dist[i]! <= r2) out[i] = 255;
  return { width: m.width, height: m.height, data: out };
}

/**
 * Shrinks the mask by `radius` pixels: every pixel within `radius` of an unmasked pixel (or
 * of the image border, which counts as unmasked) is cleared. The exact opposite of growMask
 * on the inverted mask.
 */
export function shrinkMask(m: Mask, radius: number): Mask {
  const r = Math.max(0, Math.round(radius));
  if (r === 0) return cloneMask(m);
  // Pad by one pixel of "off" all round so the border behaves as unmasked.
  const pw = m.width + 2;
  const ph = m.height + 2;
  const padded = createMask(pw, ph);
  for (let y = 0; y < m.height; y++) padded.data.set(m.data.subarray(y * m.width, (y + 1) * m.width), (y + 1) * pw + 1);
  const dist = squaredDistanceTo(padded, (v) => v < MASK_ON);
  const r2 = r * r;
  const out = m.data.slice();
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) {
      if (dist[(y + 1) * pw + x + 1]! <= r2) out[y * m.width + x] = 0;
    }
  }
  return { width: m.width, height: m.height, data: out };
}

/** Copies the pixels of `rect` out of the mask. */
export function readRect(m: Mask, r: Rect): Uint8Array {
  const out = new Uint8Array(r.w * r.h);
  for (let y = 0; y < r.h; y++) {
    const src = (r.y + y) * m.width + r.x;
    out.set(m.data.subarray(src, src + r.w), y * r.w);
  }
  return out;
}

/** Writes pixels (r.w x r.h, row-major) into the mask at `rect`. */
export function writeRect(m: Mask, r: Rect, pixels: Uint8Array): void {
  for (let y = 0; y < r.h; y++) m.data.set(pixels.subarray(y * r.w, (y + 1) * r.w), (r.y + y) * m.width + r.x);
}

/** Overlay colour of masked pixels (alpha carries the mask value). */
export const MASK_RGB: readonly [number, number, number] = [255, 48, 64];

/**
 * RGBA pixels (unpremultiplied, as ImageData wants) for the overlay of `rect`: the mask colour
 * with alpha = mask value. Only ever called for a brush-sized rectangle on the main thread.
 */
export function maskToRgba(m: Mask, r: Rect, out = new Uint8ClampedArray(r.w * r.h * 4)): Uint8ClampedArray {
  const [cr, cg, cb] = MASK_RGB;
  let o = 0;
  for (let y = 0; y < r.h; y++) {
    let i = (r.y + y) * m.width + r.x;
    for (let x = 0; x < r.w; x++, i++, o += 4) {
      out[o] = cr;
      out[o + 1] = cg;
      out[o + 2] = cb;
      out[o + 3] = m.data[i]!;
    }
  }
  return out;
}

/** Grey RGBA (white = fill, opaque) for encoding the mask as a PNG the engine reads. */
export function maskToGreyRgba(m: Mask): Uint8ClampedArray {
  const out = new Uint8ClampedArray(m.data.length * 4);
  for (let i = 0, o = 0; i < m.data.length; i++, o += 4) {
    const v = m.data[i]!;
    out[o] = v;
    out[o + 1] = v;
    out[o + 2] = v;
    out[o + 3] = 255;
  }
  return out;
}

/**
 * Reads a mask from decoded RGBA pixels: white (bright) = fill. A transparent pixel counts as
 * unmasked, so both a grey PNG and an alpha cut-out work.
 */
export function maskFromRgba(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): Mask {
  const m = createMask(width, height);
  for (let i = 0, o = 0; i < m.data.length; i++, o += 4) {
    const luma = (rgba[o]! * 77 + rgba[o + 1]! * 150 + rgba[o + 2]! * 29) >> 8;
    m.data[i] = Math.round((luma * rgba[o + 3]!) / 255);
  }
  return m;
}
