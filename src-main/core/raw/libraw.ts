// Camera raw formats other than DNG (CR2, CR3, NEF, ARW, RAF, ORF, RW2, ...) through LibRaw
// compiled to WebAssembly (the libraw-wasm package: LibRaw under LGPL-2.1/CDDL-1.0 in its own
// .wasm file, ISC wrapper). The package's default export runs LibRaw in a browser Web Worker; its
// Emscripten module (dist/libraw.js) runs in Node's own thread when handed the .wasm as bytes, with
// a synchronous API and no threads started, which is what is used here. Out comes the same
// RawMosaic that Mend's DNG reader produces, so the raw pipeline does not know where it came from.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { inv3, mul3, type Mat3 } from './colour.js';
import { blackByPosition } from './libraw-black.js';
import type { RawMetadata, RawMosaic } from './dng.js';
import type { TiffEntry } from './tiff.js';

/** What LibRaw could not do with a file (not a raw file it knows, or a layout Mend cannot denoise). */
export class LibRawError extends Error {}

interface LibRawColour {
  black: number;
  maximum: number;
  cam_mul: number[];
  pre_mul: number[];
  cam_xyz: number[][];
  rgb_cam: number[][];
  dng_color: { illuminant: number; colormatrix: number[][] }[];
}

interface LibRawMeta {
  width: number;
  height: number;
  flip: number;
  camera_make: string;
  camera_model: string;
  iso_speed: number;
  shutter: number;
  aperture: number;
  focal_len: number;
  timestamp: number;
  artist: string;
  colors?: number;
  filters?: number;
  cdesc?: string;
  is_foveon?: number;
  color_data?: LibRawColour;
  lens?: { Lens: string };
}

interface LibRawSensor {
  raw_width: number;
  raw_height: number;
  top_margin: number;
  left_margin: number;
  width: number;
  height: number;
  data: Uint16Array;
}

interface LibRawInstance {
  open(bytes: Uint8Array, settings: object): void;
  metadata(full: boolean): LibRawMeta;
  rawImageData(): LibRawSensor | undefined;
  imageData(): { width: number; height: number; colors: number; bits: number; data: Uint16Array | Uint8Array } | undefined;
  delete?(): void;
}

interface LibRawModule {
  LibRaw: new () => LibRawInstance;
}

let loading: Promise<LibRawModule> | undefined;

/** The LibRaw module, loaded once per process (about 60 ms; 1.4 MB of wasm). */
function libraw(): Promise<LibRawModule> {
  loading ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmBinary = await readFile(require.resolve('libraw-wasm/dist/libraw.wasm'));
    // A specifier in a variable: the Emscripten module ships no type declarations (the interfaces
    // above describe the part used).
    const spec = 'libraw-wasm/dist/libraw.js';
    const factory = ((await import(spec)) as { default: (o: object) => Promise<LibRawModule> }).default;
    return factory({ wasmBinary, print: () => {}, printErr: () => {} });
  })();
  return loading;
}

/** LibRaw's flip code (0 none, 3 180 degrees, 5 90 left, 6 90 right) as an EXIF Orientation. */
const ORIENTATION: Record<number, number> = { 0: 1, 3: 3, 5: 8, 6: 6 };

/** Linear sRGB (D65) <- XYZ: for a camera LibRaw knows only as camera -> sRGB (rgb_cam). */
const SRGB_FROM_XYZ: Mat3 = [3.2404542, -1.5371385, -0.4985314, -0.969266, 1.8760108, 0.041556, 0.0556434, -0.2040259, 1.0572252];

function nonZero(m: number[][] | undefined, rows = 3): boolean {
  return !!m && m.slice(0, rows).some((r) => r.slice(0, 3).some((x) => x !== 0));
}

/**
 * The XYZ -> camera colour matrix for D65 (a DNG's ColorMatrix): LibRaw's cam_xyz (its table of
 * Adobe's matrices, or the file's own), a DNG's daylight matrix, or derived from rgb_cam.
 */
function colourMatrix(c: LibRawColour): { matrix: Mat3; illuminant: number } | undefined {
  if (nonZero(c.cam_xyz)) return { matrix: c.cam_xyz.slice(0, 3).flatMap((r) => r.slice(0, 3)), illuminant: 21 };
  const dng = c.dng_color.filter((d) => nonZero(d.colormatrix));
  const pick = dng.find((d) => d.illuminant === 21) ?? dng[dng.length - 1];
  if (pick) return { matrix: pick.colormatrix.slice(0, 3).flatMap((r) => r.slice(0, 3)), illuminant: pick.illuminant };
  if (nonZero(c.rgb_cam)) {
    try {
      const camFromSrgb = inv3(c.rgb_cam.slice(0, 3).flatMap((r) => r.slice(0, 3)));
      return { matrix: mul3(camFromSrgb, SRGB_FROM_XYZ), illuminant: 21 };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The 2x2 Bayer pattern from LibRaw's filters word and colour letters, or undefined for other layouts. */
function bayer(filters: number, cdesc: string): [number, number, number, number] | undefined {
  // LibRaw's FC(row, col): the 2-bit colour index at (row, col) of a pattern repeating every 2 columns and 8 rows.
  const fc = (row: number, col: number): number => (filters >>> ((((row << 1) & 14) | (col & 1)) << 1)) & 3;
  const letter = (row: number, col: number): string => cdesc[fc(row, col)] ?? '?';
  for (let row = 2; row < 8; row++) for (let col = 0; col < 2; col++) if (fc(row, col) !== fc(row & 1, col)) return undefined;
  const index: Record<string, number> = { R: 0, G: 1, B: 2 };
  const cfa = [letter(0, 0), letter(0, 1), letter(1, 0), letter(1, 1)].map((l) => index[l] ?? -1);
  const count = [0, 1, 2].map((c) => cfa.filter((x) => x === c).length);
  if (count[0] !== 1 || count[1] !== 2 || count[2] !== 1) return undefined;
  return cfa as [number, number, number, number];
}

/** The Exif fields LibRaw reports, as Exif IFD entries for the output file. */
function exifFrom(m: LibRawMeta): TiffEntry[] {
  const e: TiffEntry[] = [];
  if (m.shutter > 0) e.push({ tag: 33434, type: 5, value: [m.shutter] });
  if (m.aperture > 0) e.push({ tag: 33437, type: 5, value: [m.aperture] });
  if (m.focal_len > 0) e.push({ tag: 37386, type: 5, value: [m.focal_len] });
  if (m.timestamp > 0) {
    const d = new Date(m.timestamp * 1000);
    const p = (n: number): string => String(n).padStart(2, '0');
    // LibRaw turns the camera's local time into a timestamp as if it were UTC; UTC fields give it back.
    e.push({ tag: 36867, type: 2, value: `${d.getUTCFullYear()}:${p(d.getUTCMonth() + 1)}:${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}` });
  }
  if (m.lens?.Lens) e.push({ tag: 42036, type: 2, value: m.lens.Lens });
  return e;
}

/** What one LibRaw pass over a file gives: the unpacked sensor frame and its metadata after unpacking. */
interface Unpacked {
  sensor: LibRawSensor;
  m: LibRawMeta;
  c: LibRawColour;
  cfa: [number, number, number, number];
}

function unpack(mod: LibRawModule, bytes: Uint8Array, kind: string): Unpacked {
  const lr = new mod.LibRaw();
  try {
    try {
      lr.open(bytes, {});
    } catch {
      throw new LibRawError(`LibRaw does not recognise this file as a ${kind} camera raw file`);
    }
    let sensor: LibRawSensor | undefined;
    try {
      sensor = lr.rawImageData();
    } catch {
      throw new LibRawError(`LibRaw could not decode this ${kind} file's raw data (truncated, or a compression it does not read)`);
    }
    // After unpacking: LibRaw settles some cameras' black level from the masked pixels then.
    const m = lr.metadata(true);
    const c = m.color_data;
    if (!sensor || !c || m.is_foveon) throw new LibRawError(`this ${kind} file has no single-plane sensor mosaic (Foveon, or a reduced-size sRAW/mRAW)`);
    const cfa = m.colors === 3 && m.filters ? bayer(m.filters >>> 0, m.cdesc ?? '') : undefined;
    if (!cfa) throw new LibRawError(`this ${kind} file's sensor is not a 2x2 red/green/blue Bayer mosaic (X-Trans, four-colour or linear): Mend cannot denoise it`);
    const { raw_width: rw, top_margin: top, width, height } = sensor;
    if (width < 2 || height < 2 || (top + height) * rw > sensor.data.length) throw new LibRawError(`this ${kind} file's raw image is empty or truncated`);
    return { sensor, m, c, cfa };
  } finally {
    lr.delete?.();
  }
}

/**
 * Decodes a camera raw file with LibRaw into Mend's RawMosaic: the visible area of the sensor
 * mosaic (margins of masked pixels cut off), the black level of each CFA position, the white
 * level, the 2x2 CFA pattern, the as-shot white balance, the colour matrix, ISO, orientation and
 * the main Exif fields. `kind` (the extension, upper case) names the format in messages.
 */
export async function readWithLibRaw(bytes: Uint8Array, kind: string): Promise<RawMosaic> {
  const mod = await libraw();
  const { sensor, m, c, cfa } = unpack(mod, bytes, kind);
  const { raw_width: rw, top_margin: top, left_margin: left, width, height } = sensor;
  // The metadata's black is only LibRaw's common part; per position it is measured (libraw-black.ts).
  let blackLevel = blackByPosition(() => new mod.LibRaw(), bytes, { top, left, width, height }, cfa);
  if (!blackLevel) {
    console.warn(`Mend: the black level of each colour of this ${kind} file could not be measured through LibRaw; using its common black level ${c.black}`);
    blackLevel = [c.black, c.black, c.black, c.black];
  }
  const white = c.maximum;
  const highest = Math.max(...blackLevel);
  if (!(white > highest)) throw new LibRawError(`this ${kind} file's white level (${white}) is not above its black level (${highest})`);
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = (y + top) * rw + left;
    for (let x = 0; x < width; x++) {
      const black = blackLevel[(y & 1) * 2 + (x & 1)];
      data[y * width + x] = (sensor.data[row + x] - black) / (white - black);
    }
  }
  const mul = c.cam_mul[0] > 0 && c.cam_mul[1] > 0 && c.cam_mul[2] > 0 ? c.cam_mul : c.pre_mul;
  const neutral: [number, number, number] = mul[0] > 0 && mul[1] > 0 && mul[2] > 0 ? [mul[1] / mul[0], 1, mul[1] / mul[2]] : [1, 1, 1];
  const name = `${m.camera_make} ${m.camera_model}`.trim() || `unknown ${kind} camera`;
  const meta: RawMetadata = { uniqueCameraModel: name, asShotNeutral: neutral, exif: exifFrom(m), copied: [{ tag: 274, type: 3, value: [ORIENTATION[m.flip] ?? 1] }] };
  if (m.camera_make) meta.make = m.camera_make;
  if (m.camera_model) meta.model = m.camera_model;
  if (m.artist) meta.copied!.push({ tag: 315, type: 2, value: m.artist });
  const cm = colourMatrix(c);
  if (cm) {
    meta.colorMatrix1 = cm.matrix;
    meta.illuminant1 = cm.illuminant;
  }
  if (m.iso_speed > 0) meta.iso = m.iso_speed;
  return { width, height, cfa, data, blackLevel, whiteLevel: white, meta };
}
