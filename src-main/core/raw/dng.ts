// DNG in and out. In: the raw (CFA) image of a DNG, uncompressed or lossless JPEG, strips or
// tiles, with the levels, CFA pattern, white balance, colour matrices, ISO, noise profile and EXIF
// it carries. Out: a CFA DNG (tests and training data: a clean picture unprocessed to a mosaic) and
// the linear DNG (demosaiced, LinearRaw) that is Mend's output for raw input: the colour matrices,
// white balance and EXIF are copied, so raw editors render it like the original.
import { decodeLosslessJpeg } from './ljpeg.js';
import { type Ifd, nums, num, parseTiff, text, type TiffEntry, TiffError, writeTiff } from './tiff.js';

export const CFA_PHOTOMETRIC = 32803;
export const LINEAR_RAW_PHOTOMETRIC = 34892;

export interface RawMetadata {
  make?: string;
  model?: string;
  uniqueCameraModel: string;
  /** Camera response to neutral grey (AsShotNeutral), green 1. */
  asShotNeutral: [number, number, number];
  /** XYZ -> camera matrices (row-major 3x3) and their EXIF light sources (21 = D65, 17 = Standard A). */
  colorMatrix1?: number[];
  colorMatrix2?: number[];
  illuminant1?: number;
  illuminant2?: number;
  iso?: number;
  /** DNG NoiseProfile: pairs (scale, offset) per colour plane or one pair: variance = scale * x + offset, x in [0,1]. */
  noiseProfile?: number[];
  /** The Exif IFD's fields (values decoded, offsets dropped), copied to the output. */
  exif: TiffEntry[];
  /** IFD0 fields copied as they are (COPIED_IFD0_TAGS: orientation, rendering hints, authorship). */
  copied?: TiffEntry[];
}

/**
 * IFD0 tags a raw editor needs to render the output like the original, copied unchanged:
 * Orientation, DateTime, Artist, Copyright, CameraCalibration1/2, AnalogBalance, AsShotWhiteXY,
 * BaselineExposure/Noise/Sharpness, LinearResponseLimit, CameraSerialNumber, ProfileName,
 * ProfileEmbedPolicy, ProfileCopyright, ForwardMatrix1/2, DefaultBlackRender, and the calibration
 * signatures. (Tags describing the raw data itself, such as the crop, the levels and the CFA, are
 * written anew.)
 */
/** Raw-IFD tags that stay true of the output: DefaultScale, DefaultCropOrigin/Size, BestQualityScale. */
const COPIED_RAW_IFD_TAGS = new Set([50718, 50719, 50720, 50780]);
const COPIED_IFD0_TAGS = new Set([274, 306, 315, 33432, 50723, 50724, 50727, 50729, 50730, 50731, 50732, 50734, 50735, 50931, 50932, 50936, 50941, 50942, 50964, 50965, 51111]);

/** A Bayer mosaic, normalised: 0 = black level, 1 = white level (noise takes it a little outside). */
export interface RawMosaic {
  width: number;
  height: number;
  /** Colour (0 red, 1 green, 2 blue) at (0,0), (1,0), (0,1), (1,1). */
  cfa: [number, number, number, number];
  data: Float32Array;
  /** Levels as stored (per CFA position), for messages and tests. */
  blackLevel: number[];
  whiteLevel: number;
  meta: RawMetadata;
}

export class DngError extends Error {}

/** The IFD holding the full-size raw image: NewSubFileType 0 and a CFA or LinearRaw photometric. */
function rawIfd(ifds: Ifd[]): Ifd {
  const main = ifds.filter((d) => (num(d, 254) ?? 0) === 0);
  const pick = main.find((d) => num(d, 262) === CFA_PHOTOMETRIC) ?? main.find((d) => num(d, 262) === LINEAR_RAW_PHOTOMETRIC);
  if (!pick) throw new DngError('no raw image in this DNG (no CFA or LinearRaw IFD)');
  return pick;
}

/** Reads the stored samples of `ifd` (one per pixel for CFA) into a Uint16Array of width x height x spp. */
function readSamples(bytes: Uint8Array, le: boolean, ifd: Ifd, width: number, height: number, spp: number): Uint16Array {
  const bits = num(ifd, 258) ?? 1;
  const compression = num(ifd, 259) ?? 1;
  const out = new Uint16Array(width * height * spp);
  const tiled = ifd.entries.has(324);
  const tw = tiled ? num(ifd, 322)! : width;
  const th = tiled ? num(ifd, 323)! : num(ifd, 278) ?? height;
  const offsets = nums(ifd, tiled ? 324 : 273);
  const counts = nums(ifd, tiled ? 325 : 279);
  if (!offsets || !counts || !tw || !th) throw new DngError('the raw image has no strip or tile offsets');
  const across = Math.ceil(width / tw);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  offsets.forEach((off, i) => {
    const x0 = (i % across) * tw;
    const y0 = Math.floor(i / across) * th;
    if (off + counts[i] > bytes.length) throw new TiffError('the raw image data is truncated');
    const put = (x: number, y: number, s: number, v: number): void => {
      if (x0 + x < width && y0 + y < height) out[((y0 + y) * width + x0 + x) * spp + s] = v;
    };
    if (compression === 1) {
      const rows = tiled ? th : Math.min(th, height - y0);
      const cols = tiled ? tw : width;
      if (bits === 16) {
        for (let y = 0; y < rows; y++) {
          for (let x = 0; x < cols; x++) {
            for (let s = 0; s < spp; s++) {
              const at = off + 2 * ((y * cols + x) * spp + s);
              if (at + 2 <= off + counts[i]) put(x, y, s, view.getUint16(at, le));
            }
          }
        }
      } else if (bits === 8) {
        for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) for (let s = 0; s < spp; s++) put(x, y, s, bytes[off + (y * cols + x) * spp + s]);
      } else {
        // Packed 10/12/14-bit samples, most significant bit first, rows padded to whole bytes.
        let bit: number;
        const rowBits = cols * spp * bits;
        for (let y = 0; y < rows; y++) {
          bit = Math.ceil((y * rowBits) / 8) * 8;
          for (let x = 0; x < cols; x++) {
            for (let s = 0; s < spp; s++) {
              let v = 0;
              for (let k = 0; k < bits; k++, bit++) v = (v << 1) | ((bytes[off + (bit >> 3)] >> (7 - (bit & 7))) & 1);
              put(x, y, s, v);
            }
          }
        }
      }
    } else if (compression === 7) {
      // The decoded samples run in raster order over the tile's rows of cols x spp samples (a
      // lossless JPEG often codes a row of W pixels as W/2 two-component samples).
      const tile = decodeLosslessJpeg(bytes.subarray(off, off + counts[i]));
      const cols = tiled ? tw : width;
      const perRow = cols * spp;
      for (let k = 0; k < tile.data.length; k++) {
        const xs = k % perRow;
        put(Math.floor(xs / spp), Math.floor(k / perRow), xs % spp, tile.data[k]);
      }
    } else {
      throw new DngError(`compression ${compression} is not supported (Mend reads uncompressed and lossless-JPEG DNG)`);
    }
  });
  return out;
}

function cfaPattern(ifd: Ifd): [number, number, number, number] {
  const dim = nums(ifd, 33421) ?? [2, 2];
  const pat = nums(ifd, 33422);
  if (dim[0] !== 2 || dim[1] !== 2 || !pat || pat.length !== 4) throw new DngError('only 2x2 Bayer CFA patterns are supported (not X-Trans or other layouts)');
  const p = pat as [number, number, number, number];
  const count = [0, 0, 0];
  for (const c of p) {
    if (c > 2) throw new DngError('only red/green/blue Bayer CFA patterns are supported');
    count[c]++;
  }
  if (count[0] !== 1 || count[1] !== 2 || count[2] !== 1) throw new DngError('only red/green/blue Bayer CFA patterns are supported');
  return p;
}

function exifEntries(exif: Ifd | undefined): TiffEntry[] {
  if (!exif) return [];
  // Pointers (Interop IFD, MakerNote offsets) cannot be copied as values.
  const drop = new Set([40965, 37500]);
  return [...exif.entries.values()].filter((e) => !drop.has(e.tag));
}

/** Reads the raw CFA image and metadata of a DNG. Throws DngError (or TiffError) when it cannot. */
export function readDng(bytes: Uint8Array): RawMosaic {
  const tiff = parseTiff(bytes);
  const ifd0 = tiff.ifds[0];
  if (!ifd0 || !nums(ifd0, 50706)) throw new DngError('this TIFF is not a DNG (no DNGVersion tag)');
  const ifd = rawIfd(tiff.ifds);
  if (num(ifd, 262) !== CFA_PHOTOMETRIC) throw new DngError('this DNG is already demosaiced (LinearRaw); Mend denoises the raw mosaic of a camera DNG');
  const fullW = num(ifd, 256)!;
  const fullH = num(ifd, 257)!;
  if ((num(ifd, 277) ?? 1) !== 1) throw new DngError('a CFA image with more than one sample per pixel is not supported');
  const samples = readSamples(bytes, tiff.littleEndian, ifd, fullW, fullH, 1);
  let cfa = cfaPattern(ifd);
  // Active area: top, left, bottom, right. The CFA pattern is given for the area's origin.
  const area = nums(ifd, 50829) ?? [0, 0, fullH, fullW];
  const [top, left, bottom, right] = area;
  const width = right - left;
  const height = bottom - top;
  const linearisation = nums(ifd, 50712);
  const repeat = nums(ifd, 50713) ?? [1, 1];
  const black = nums(ifd, 50714) ?? [0];
  const dBlackH = nums(ifd, 50715);
  const dBlackV = nums(ifd, 50716);
  const white = num(ifd, 50717) ?? (1 << (num(ifd, 258) ?? 16)) - 1;
  const [rr, rc] = [repeat[0] || 1, repeat[1] || 1];
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = samples[(y + top) * fullW + x + left];
      if (linearisation) v = linearisation[Math.min(v, linearisation.length - 1)];
      const b = black[((y % rr) * rc + (x % rc)) % black.length] + (dBlackH?.[x] ?? 0) + (dBlackV?.[y] ?? 0);
      data[y * width + x] = (v - b) / (white - b);
    }
  }
  // Levels per CFA position (for the caller's messages and tests).
  const blackLevel = [0, 1, 2, 3].map((k) => black[((((k >> 1) % rr) * rc + ((k & 1) % rc)) % black.length)]);
  if (width < 2 || height < 2) throw new DngError('the raw image is empty');
  const exif = tiff.exif;
  const neutral = nums(ifd0, 50728) ?? nums(ifd, 50728);
  const meta: RawMetadata = {
    uniqueCameraModel: text(ifd0, 50708) ?? text(ifd0, 272) ?? 'unknown camera',
    asShotNeutral: neutral && neutral.length >= 3 ? [neutral[0], neutral[1], neutral[2]] : [1, 1, 1],
    exif: exifEntries(exif),
    copied: [
      ...[...ifd0.entries.values()].filter((e) => COPIED_IFD0_TAGS.has(e.tag)),
      // The default crop is relative to the active area, which is what Mend's output holds.
      ...[...ifd.entries.values()].filter((e) => COPIED_RAW_IFD_TAGS.has(e.tag)),
    ],
  };
  const make = text(ifd0, 271);
  const model = text(ifd0, 272);
  if (make) meta.make = make;
  if (model) meta.model = model;
  const cm1 = nums(ifd0, 50721);
  const cm2 = nums(ifd0, 50722);
  if (cm1?.length === 9) meta.colorMatrix1 = cm1;
  if (cm2?.length === 9) meta.colorMatrix2 = cm2;
  const il1 = num(ifd0, 50778);
  const il2 = num(ifd0, 50779);
  if (il1 !== undefined) meta.illuminant1 = il1;
  if (il2 !== undefined) meta.illuminant2 = il2;
  const iso = num(exif, 34855) ?? num(ifd0, 34855);
  if (iso !== undefined) meta.iso = iso;
  const np = nums(ifd, 51041) ?? nums(ifd0, 51041);
  if (np && np.length >= 2) meta.noiseProfile = np;
  // The active area can start on an odd row or column: the pattern moves with it.
  if (top % 2 || left % 2) {
    const at = (x: number, y: number): number => cfa[((y + top) % 2) * 2 + ((x + left) % 2)];
    cfa = [at(0, 0), at(1, 0), at(0, 1), at(1, 1)];
  }
  return { width, height, cfa, data, blackLevel, whiteLevel: white, meta };
}

function metadataEntries(meta: RawMetadata): TiffEntry[] {
  const e: TiffEntry[] = [
    { tag: 50706, type: 1, value: new Uint8Array([1, 4, 0, 0]) },
    { tag: 50707, type: 1, value: new Uint8Array([1, 1, 0, 0]) },
    { tag: 50708, type: 2, value: meta.uniqueCameraModel },
    { tag: 50728, type: 5, value: [...meta.asShotNeutral] },
    { tag: 305, type: 2, value: 'Mend' },
    ...(meta.copied ?? []),
  ];
  if (!e.some((x) => x.tag === 274)) e.push({ tag: 274, type: 3, value: [1] });
  if (meta.make) e.push({ tag: 271, type: 2, value: meta.make });
  if (meta.model) e.push({ tag: 272, type: 2, value: meta.model });
  if (meta.colorMatrix1) e.push({ tag: 50721, type: 10, value: meta.colorMatrix1 });
  if (meta.colorMatrix2) e.push({ tag: 50722, type: 10, value: meta.colorMatrix2 });
  if (meta.illuminant1 !== undefined) e.push({ tag: 50778, type: 3, value: [meta.illuminant1] });
  if (meta.illuminant2 !== undefined) e.push({ tag: 50779, type: 3, value: [meta.illuminant2] });
  return e;
}

function exifWithIso(meta: RawMetadata): TiffEntry[] {
  const exif = meta.exif.filter((e) => e.tag !== 34855);
  if (meta.iso !== undefined) exif.push({ tag: 34855, type: 3, value: [Math.round(meta.iso)] });
  return exif;
}

function toBytes16(values: Uint16Array): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const v = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) v.setUint16(2 * i, values[i], true);
  return out;
}

export interface CfaDngInput {
  width: number;
  height: number;
  cfa: [number, number, number, number];
  /** Stored sample values (black level and noise included). */
  samples: Uint16Array;
  blackLevel: number;
  whiteLevel: number;
  meta: RawMetadata;
}

/** A CFA DNG, uncompressed 16-bit, main image in IFD0. */
export function writeCfaDng(input: CfaDngInput): Uint8Array {
  const { width, height } = input;
  const entries: TiffEntry[] = [
    { tag: 254, type: 4, value: [0] },
    { tag: 256, type: 4, value: [width] },
    { tag: 257, type: 4, value: [height] },
    { tag: 258, type: 3, value: [16] },
    { tag: 259, type: 3, value: [1] },
    { tag: 262, type: 3, value: [CFA_PHOTOMETRIC] },
    { tag: 277, type: 3, value: [1] },
    { tag: 284, type: 3, value: [1] },
    { tag: 33421, type: 3, value: [2, 2] },
    { tag: 33422, type: 1, value: new Uint8Array(input.cfa) },
    { tag: 50710, type: 1, value: new Uint8Array([0, 1, 2]) },
    { tag: 50711, type: 3, value: [1] },
    { tag: 50713, type: 3, value: [1, 1] },
    { tag: 50714, type: 4, value: [input.blackLevel] },
    { tag: 50717, type: 4, value: [input.whiteLevel] },
    ...metadataEntries(input.meta),
  ];
  if (input.meta.noiseProfile) entries.push({ tag: 51041, type: 12, value: input.meta.noiseProfile });
  return writeTiff(entries, toBytes16(input.samples), height, exifWithIso(input.meta));
}

/**
 * A linear DNG: demosaiced camera RGB (interleaved, 0 = black, 1 = white), stored 16-bit with
 * black 0 and white 65535, with the source's colour matrices, white balance, ISO and EXIF.
 */
export function writeLinearDng(width: number, height: number, camera: Float32Array, meta: RawMetadata): Uint8Array {
  const samples = new Uint16Array(width * height * 3);
  for (let i = 0; i < samples.length; i++) {
    const v = camera[i] * 65535;
    samples[i] = v <= 0 ? 0 : v >= 65535 ? 65535 : Math.round(v);
  }
  const entries: TiffEntry[] = [
    { tag: 254, type: 4, value: [0] },
    { tag: 256, type: 4, value: [width] },
    { tag: 257, type: 4, value: [height] },
    { tag: 258, type: 3, value: [16, 16, 16] },
    { tag: 259, type: 3, value: [1] },
    { tag: 262, type: 3, value: [LINEAR_RAW_PHOTOMETRIC] },
    { tag: 277, type: 3, value: [3] },
    { tag: 284, type: 3, value: [1] },
    { tag: 50714, type: 4, value: [0] },
    { tag: 50717, type: 4, value: [65535] },
    ...metadataEntries(meta),
  ];
  return writeTiff(entries, toBytes16(samples), height, exifWithIso(meta));
}

export { TiffError };
