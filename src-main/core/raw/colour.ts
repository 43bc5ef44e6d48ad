// Camera colour: from white-balanced camera RGB to sRGB the way dcraw/LibRaw do it from a DNG's
// ColorMatrix (XYZ -> camera), the simple default rendering (sRGB gamma and a gentle tone curve),
// and its exact inverse, "unprocessing" (Brooks et al. 2019), which turns a clean sRGB picture into
// the camera's linear values for tests and training data.

export type Mat3 = number[]; // row-major 3x3

/** Linear sRGB (D65) -> XYZ (D65). */
const XYZ_FROM_SRGB: Mat3 = [0.4124564, 0.3575761, 0.1804375, 0.2126729, 0.7151522, 0.072175, 0.0193339, 0.119192, 0.9503041];

export function mul3(a: Mat3, b: Mat3): Mat3 {
  const o: Mat3 = new Array(9).fill(0);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) o[3 * r + c] += a[3 * r + k] * b[3 * k + c];
  return o;
}

export function inv3(m: Mat3): Mat3 {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new Error('colour matrix is singular');
  return [A, -(b * i - c * h), b * f - c * e, B, a * i - c * g, -(a * f - c * d), C, -(a * h - b * g), a * e - b * d].map((x) => x / det);
}

/**
 * Camera RGB <- linear sRGB, rows scaled so sRGB white lands on camera (1,1,1): the camera values
 * this maps to are white-balanced (divided by the neutral), as in dcraw's cam_rgb.
 */
export function cameraFromSrgb(colorMatrix: Mat3): Mat3 {
  const m = mul3(colorMatrix, XYZ_FROM_SRGB);
  for (let r = 0; r < 3; r++) {
    const s = m[3 * r] + m[3 * r + 1] + m[3 * r + 2];
    for (let c = 0; c < 3; c++) m[3 * r + c] /= s;
  }
  return m;
}

/** Camera response to a neutral grey (AsShotNeutral) that a colour matrix implies for D65 white. */
export function neutralFor(colorMatrix: Mat3): [number, number, number] {
  const m = mul3(colorMatrix, XYZ_FROM_SRGB);
  const n = [0, 1, 2].map((r) => m[3 * r] + m[3 * r + 1] + m[3 * r + 2]);
  return [n[0] / n[1], 1, n[2] / n[1]];
}

/**
 * An XYZ -> camera matrix (D65) of the usual shape for a Bayer sensor (strong diagonal, negative
 * cross terms), for the test camera: not any real camera's.
 */
export const TYPICAL_COLOR_MATRIX: Mat3 = [6446, -366, -864, -4436, 12204, 2513, -952, 2496, 6348].map((x) => x / 10000);

const srgbGamma = (x: number): number => (x <= 0.0031308 ? 12.92 * x : 1.055 * Math.pow(x, 1 / 2.4) - 0.055);
const srgbLinear = (y: number): number => (y <= 0.04045 ? y / 12.92 : Math.pow((y + 0.055) / 1.055, 2.4));
/** Brooks et al.'s tone curve: a smoothstep, gentle contrast on top of the gamma. */
const tone = (x: number): number => 3 * x * x - 2 * x * x * x;
const untone = (y: number): number => 0.5 - Math.sin(Math.asin(1 - 2 * y) / 3);

const clip01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

/** The default rendering's curve on one linear sRGB value in [0,1]: sRGB gamma, then the tone curve. */
export const renderCurve = (x: number): number => tone(clip01(srgbGamma(clip01(x))));
/** Its inverse on a rendered value in [0,1]. */
export const unrenderCurve = (y: number): number => srgbLinear(untone(clip01(y)));

/**
 * The colour matrix for daylight: of a DNG's two, the one calibrated under D65 (EXIF light source
 * 21) or, failing that, ColorMatrix2 (by convention the daylight one of a pair). A raw editor
 * interpolates between them by the white balance; Mend's simple rendering does not.
 */
export function daylightMatrix(meta: { colorMatrix1?: Mat3; colorMatrix2?: Mat3; illuminant1?: number; illuminant2?: number }): Mat3 | undefined {
  const { colorMatrix1: m1, colorMatrix2: m2, illuminant1, illuminant2 } = meta;
  if (illuminant1 === 21 && m1) return m1;
  if (illuminant2 === 21 && m2) return m2;
  return m2 ?? m1;
}

/**
 * The default rendering of camera RGB (interleaved, black 0, white 1): white balance by the
 * neutral, colour matrix to linear sRGB (none when the file has none: camera RGB is then taken as
 * sRGB), sRGB gamma, smoothstep tone curve. Out: [0,1] sRGB.
 */
export function renderSrgb(camera: Float32Array, neutral: readonly number[], colorMatrix: Mat3 | undefined): Float32Array {
  const toSrgb = colorMatrix ? inv3(cameraFromSrgb(colorMatrix)) : [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const out = new Float32Array(camera.length);
  const w = [1 / neutral[0], 1 / neutral[1], 1 / neutral[2]];
  for (let p = 0; p < camera.length; p += 3) {
    const r = camera[p] * w[0], g = camera[p + 1] * w[1], b = camera[p + 2] * w[2];
    for (let k = 0; k < 3; k++) {
      const lin = toSrgb[3 * k] * r + toSrgb[3 * k + 1] * g + toSrgb[3 * k + 2] * b;
      out[p + k] = tone(clip01(srgbGamma(clip01(lin))));
    }
  }
  return out;
}

/** The inverse of renderSrgb for in-gamut colours: sRGB [0,1] -> camera RGB (black 0, white 1). */
export function unprocessSrgb(srgb: Float32Array, neutral: readonly number[], colorMatrix: Mat3): Float32Array {
  const toCam = cameraFromSrgb(colorMatrix);
  const out = new Float32Array(srgb.length);
  for (let p = 0; p < srgb.length; p += 3) {
    const lin = [0, 1, 2].map((k) => srgbLinear(untone(clip01(srgb[p + k]))));
    for (let k = 0; k < 3; k++) {
      out[p + k] = (toCam[3 * k] * lin[0] + toCam[3 * k + 1] * lin[1] + toCam[3 * k + 2] * lin[2]) * neutral[k];
    }
  }
  return out;
}
