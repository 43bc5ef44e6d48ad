// The Bayer mosaic as four half-resolution planes (one per CFA position: the noise in each is white
// and of one colour, which is what a denoiser wants), and demosaicing back to full-resolution RGB.

/** Planes at (0,0), (1,0), (0,1), (1,1) of each 2x2 cell, interleaved as 4 channels, floor(w/2) x floor(h/2). */
export function packBayer(mosaic: Float32Array, width: number, height: number): { data: Float32Array; width: number; height: number } {
  const pw = width >> 1, ph = height >> 1;
  const data = new Float32Array(pw * ph * 4);
  for (let y = 0; y < ph; y++) {
    const r0 = 2 * y * width, r1 = r0 + width;
    for (let x = 0; x < pw; x++) {
      const o = (y * pw + x) * 4;
      data[o] = mosaic[r0 + 2 * x];
      data[o + 1] = mosaic[r0 + 2 * x + 1];
      data[o + 2] = mosaic[r1 + 2 * x];
      data[o + 3] = mosaic[r1 + 2 * x + 1];
    }
  }
  return { data, width: pw, height: ph };
}

/** The inverse of packBayer, written into `mosaic` (an odd last row or column keeps its values). */
export function unpackBayer(planes: Float32Array, mosaic: Float32Array, width: number, height: number): void {
  const pw = width >> 1, ph = height >> 1;
  for (let y = 0; y < ph; y++) {
    const r0 = 2 * y * width, r1 = r0 + width;
    for (let x = 0; x < pw; x++) {
      const o = (y * pw + x) * 4;
      mosaic[r0 + 2 * x] = planes[o];
      mosaic[r0 + 2 * x + 1] = planes[o + 1];
      mosaic[r1 + 2 * x] = planes[o + 2];
      mosaic[r1 + 2 * x + 1] = planes[o + 3];
    }
  }
}

/**
 * Malvar-He-Cutler demosaicing (ICASSP 2004): bilinear interpolation corrected by the Laplacian
 * of the pixel's own colour, 5x5 kernels; about 5 dB better than bilinear on photos, at bilinear's
 * cost. Any 2x2 Bayer layout (cfa: colour at (0,0), (1,0), (0,1), (1,1)); edges mirrored in steps
 * of 2 so every neighbour keeps its colour. Out: interleaved RGB.
 */
export function demosaic(mosaic: Float32Array, width: number, height: number, cfa: readonly number[]): Float32Array {
  const P = 2;
  const W = width + 2 * P, H = height + 2 * P;
  const m = new Float32Array(W * H);
  const mirror = (i: number, n: number): number => {
    if (n === 1) return 0;
    for (;;) {
      if (i < 0) i = -i;
      else if (i >= n) i = 2 * (n - 1) - i;
      else return i;
    }
  };
  for (let y = 0; y < H; y++) {
    const sy = mirror(y - P, height);
    for (let x = 0; x < W; x++) m[y * W + x] = mosaic[sy * width + mirror(x - P, width)];
  }
  const out = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y + P) * W + x + P;
      const c = cfa[(y & 1) * 2 + (x & 1)];
      const v = m[i];
      const o = (y * width + x) * 3;
      out[o + c] = v;
      const n = m[i - W], s = m[i + W], w = m[i - 1], e = m[i + 1];
      const nn = m[i - 2 * W], ss = m[i + 2 * W], ww = m[i - 2], ee = m[i + 2];
      const nw = m[i - W - 1], ne = m[i - W + 1], sw = m[i + W - 1], se = m[i + W + 1];
      if (c === 1) {
        // Green site: the colour left/right and the colour above/below.
        const hColour = cfa[(y & 1) * 2 + ((x + 1) & 1)];
        const vColour = 2 - hColour;
        const diag = nw + ne + sw + se;
        const hv = (5 * v + 4 * (w + e) - (ww + ee) - diag + 0.5 * (nn + ss)) / 8;
        const vv = (5 * v + 4 * (n + s) - (nn + ss) - diag + 0.5 * (ww + ee)) / 8;
        out[o + hColour] = hv;
        out[o + vColour] = vv;
      } else {
        const lap = nn + ss + ww + ee;
        out[o + 1] = (4 * v + 2 * (n + s + w + e) - lap) / 8;
        out[o + (2 - c)] = (6 * v + 2 * (nw + ne + sw + se) - 1.5 * lap) / 8;
      }
    }
  }
  return out;
}

/**
 * False-colour suppression after demosaicing (dcraw's -m): a 3x3 median of red minus green and of
 * blue minus green, red and blue rebuilt on the green. Demosaicing errors are mostly colour
 * fringes of one or two pixels at fine detail, which the median removes, while real colour edges
 * (wider than the window's half) pass. In place, on interleaved RGB.
 */
export function medianChroma(rgb: Float32Array, width: number, height: number, passes = 1): void {
  const n = width * height;
  const diff = [new Float32Array(n), new Float32Array(n)];
  for (let pass = 0; pass < passes; pass++) {
    for (let i = 0; i < n; i++) {
      diff[0][i] = rgb[3 * i] - rgb[3 * i + 1];
      diff[1][i] = rgb[3 * i + 2] - rgb[3 * i + 1];
    }
    for (let c = 0; c < 2; c++) {
      const d = diff[c];
      for (let y = 1; y < height - 1; y++) {
        for (let x = 1; x < width - 1; x++) {
          const i = y * width + x;
          const m = median9(d[i - width - 1], d[i - width], d[i - width + 1], d[i - 1], d[i], d[i + 1], d[i + width - 1], d[i + width], d[i + width + 1]);
          rgb[3 * i + 2 * c] = rgb[3 * i + 1] + m;
        }
      }
    }
  }
}

/** Median of nine by a 19-exchange sorting network (Paeth), without sorting an array per pixel (10x faster on 24 MP). */
function median9(p0: number, p1: number, p2: number, p3: number, p4: number, p5: number, p6: number, p7: number, p8: number): number {
  let t: number;
  if (p1 > p2) { t = p1; p1 = p2; p2 = t; }
  if (p4 > p5) { t = p4; p4 = p5; p5 = t; }
  if (p7 > p8) { t = p7; p7 = p8; p8 = t; }
  if (p0 > p1) { t = p0; p0 = p1; p1 = t; }
  if (p3 > p4) { t = p3; p3 = p4; p4 = t; }
  if (p6 > p7) { t = p6; p6 = p7; p7 = t; }
  if (p1 > p2) { t = p1; p1 = p2; p2 = t; }
  if (p4 > p5) { t = p4; p4 = p5; p5 = t; }
  if (p7 > p8) { t = p7; p7 = p8; p8 = t; }
  if (p0 > p3) { p3 = p0; }
  if (p5 > p8) { p5 = p8; }
  if (p4 > p7) { t = p4; p4 = p7; p7 = t; }
  if (p3 > p6) { p6 = p3; }
  if (p1 > p4) { p4 = p1; }
  if (p2 > p5) { p2 = p5; }
  if (p4 > p7) { p4 = p7; }
  if (p4 > p2) { t = p4; p4 = p2; p2 = t; }
  if (p6 > p4) { p4 = p6; }
  if (p4 > p2) { p4 = p2; }
  return p4;
}
