/**
 * Mend's default rendering (colour.ts renderSrgb: white balance, colour matrix, tone curve) per
 * pixel through lookup tables, and its inverse for carrying a change made in the rendering back
 * to camera RGB: the raw route's finishing steps (rendered-chroma.ts, raw-detail.ts) work where
 * the photographer looks and leave the linear DNG consistent with what is shown.
 */
import { cameraFromSrgb, inv3, renderCurve, unrenderCurve, type Mat3 } from './colour.js';

const TABLE = 65536;

/** f sampled at TABLE + 1 points over [0,1], for linear interpolation (24 MP: one pow per value is seconds). */
function table(f: (x: number) => number): Float32Array {
  const t = new Float32Array(TABLE + 2);
  for (let i = 0; i <= TABLE; i++) t[i] = f(i / TABLE);
  t[TABLE + 1] = t[TABLE]!;
  return t;
}

function lookup(t: Float32Array, x: number): number {
  const p = (x <= 0 ? 0 : x >= 1 ? 1 : x) * TABLE;
  const i = Math.floor(p);
  return t[i]! + (p - i) * (t[i + 1]! - t[i]!);
}

export interface FastRendering {
  /** The rendered sRGB (0-1) of the camera pixel at `p` (interleaved, black 0, white 1) into `out`. */
  render(camera: Float32Array, p: number, out: number[]): void;
  /** Linear sRGB of a rendered value: the tone curve's inverse. */
  unrender(x: number): number;
  /** Adds the camera-RGB change of a linear-sRGB change `d` to the camera pixel at `p`. */
  addLinear(camera: Float32Array, p: number, d: readonly number[]): void;
}

/** The rendering by `neutral` and `colorMatrix` (none: camera RGB taken as sRGB). */
export function fastRendering(neutral: readonly number[], colorMatrix: Mat3 | undefined): FastRendering {
  const toCam = colorMatrix ? cameraFromSrgb(colorMatrix) : [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const toSrgb = inv3(toCam);
  const fwd = table(renderCurve);
  const back = table(unrenderCurve);
  const w = [1 / neutral[0]!, 1 / neutral[1]!, 1 / neutral[2]!];
  return {
    render(c, p, out) {
      const r = c[p]! * w[0]!, g = c[p + 1]! * w[1]!, b = c[p + 2]! * w[2]!;
      for (let j = 0; j < 3; j++) out[j] = lookup(fwd, toSrgb[3 * j]! * r + toSrgb[3 * j + 1]! * g + toSrgb[3 * j + 2]! * b);
    },
    unrender: (x) => lookup(back, x),
    addLinear(c, p, d) {
      for (let j = 0; j < 3; j++) c[p + j] += neutral[j]! * (toCam[3 * j]! * d[0]! + toCam[3 * j + 1]! * d[1]! + toCam[3 * j + 2]! * d[2]!);
    },
  };
}
