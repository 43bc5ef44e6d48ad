// DNG in and out: Mend's own files read back exactly, lossless JPEG DNGs decode, and LibRaw
// (raw-identify, unprocessed_raw, dcraw_emu from Debian's libraw-bin) and exiftool read what Mend
// writes with the same pixels and metadata.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/math/rng.js';
import { naturalImage } from '../../../src-main/core/lab/scenes.js';
import { CFA_PHOTOMETRIC, readDng, writeCfaDng, writeLinearDng } from '../../../src-main/core/raw/dng.js';
import { decodeLosslessJpeg } from '../../../src-main/core/raw/ljpeg.js';
import { nums, parseTiff, type TiffEntry, writeTiff, writeTiffTree } from '../../../src-main/core/raw/tiff.js';
import { unprocess } from '../../../src-main/core/raw/unprocess.js';
import { encodeLosslessJpeg } from '../../helpers/ljpeg-encode.js';

const dir = mkdtempSync(join(tmpdir(), 'mend-dng-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const W = 96, H = 64;
const made = unprocess(naturalImage(W, H, 3, 3), { noise: { a: 0.002, b: 1e-5 }, rng: new Rng(5), iso: 1600, cfa: [1, 0, 2, 1] });
const cfaBytes = writeCfaDng(made.dng);

/** The 16-bit samples of a TIFF's single strip (what dcraw_emu writes), in file order. */
function stripSamples(path: string): Uint16Array {
  const t = parseTiff(readFileSync(path));
  const off = nums(t.ifds[0], 273)![0];
  const count = nums(t.ifds[0], 279)![0] / 2;
  const out = new Uint16Array(count);
  for (let i = 0; i < count; i++) out[i] = t.view.getUint16(off + 2 * i, t.littleEndian);
  return out;
}

/** A 16-bit binary PGM (what unprocessed_raw writes). */
function pgmSamples(path: string): { width: number; height: number; data: Uint16Array } {
  const b = readFileSync(path);
  const m = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(b.subarray(0, 40).toString('latin1'))!;
  const [width, height] = [Number(m[1]), Number(m[2])];
  const at = m[0].length;
  const data = new Uint16Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = b.readUInt16BE(at + 2 * i);
  return { width, height, data };
}

describe('DNG reader and writer', () => {
  it('reads back the samples, levels, CFA pattern and metadata it wrote', () => {
    const raw = readDng(cfaBytes);
    expect([raw.width, raw.height]).toEqual([W, H]);
    expect(raw.cfa).toEqual([1, 0, 2, 1]);
    expect(raw.blackLevel).toEqual([256, 256, 256, 256]);
    expect(raw.whiteLevel).toBe(4095);
    for (let i = 0; i < raw.data.length; i++) expect(raw.data[i] * (4095 - 256) + 256).toBeCloseTo(made.dng.samples[i], 3);
    expect(raw.meta.iso).toBe(1600);
    expect(raw.meta.asShotNeutral.map((x) => +x.toFixed(5))).toEqual(made.dng.meta.asShotNeutral.map((x) => +x.toFixed(5)));
    raw.meta.colorMatrix1!.forEach((x, i) => expect(x).toBeCloseTo(made.dng.meta.colorMatrix1![i], 5));
    expect(raw.meta.make).toBe('Mend');
    expect(raw.meta.exif.find((e) => e.tag === 33434)?.value).toEqual([1 / 125]);
  });

  it('reads a lossless-JPEG DNG (two components per coded column, predictors 1 and 6) to the same values', () => {
    for (const predictor of [1, 6]) {
      const jpeg = encodeLosslessJpeg(made.dng.samples, W / 2, H, 2, 12, predictor);
      const decoded = decodeLosslessJpeg(jpeg);
      expect(Array.from(decoded.data)).toEqual(Array.from(made.dng.samples));
      const parsed = parseTiff(cfaBytes);
      const entries: TiffEntry[] = [...parsed.ifds[0].entries.values()].filter((e) => ![273, 278, 279, 34665].includes(e.tag));
      entries.find((e) => e.tag === 259)!.value = [7];
      const dng = writeTiff(entries, jpeg, H);
      writeFileSync(join(dir, `lj${predictor}.dng`), dng);
      const raw = readDng(dng);
      expect(Array.from(raw.data)).toEqual(Array.from(readDng(cfaBytes).data));
      // LibRaw decodes the same file to the same mosaic: the encoder writes the real format.
      execFileSync('unprocessed_raw', [join(dir, `lj${predictor}.dng`)], { stdio: 'pipe' });
      expect(Array.from(pgmSamples(join(dir, `lj${predictor}.dng.pgm`)).data)).toEqual(Array.from(made.dng.samples));
    }
  });

  it('reads a tiled lossless-JPEG DNG (32x32 tiles, as DNG converters write) to the same mosaic as LibRaw', () => {
    const T = 32;
    const tiles: Uint8Array[] = [];
    for (let ty = 0; ty < H; ty += T) {
      for (let tx = 0; tx < W; tx += T) {
        const tile = new Uint16Array(T * T);
        for (let y = 0; y < T; y++) for (let x = 0; x < T; x++) tile[y * T + x] = made.dng.samples[(ty + y) * W + tx + x];
        tiles.push(encodeLosslessJpeg(tile, T / 2, T, 2, 12, 1));
      }
    }
    const parsed = parseTiff(cfaBytes);
    const entries: TiffEntry[] = [...parsed.ifds[0].entries.values()].filter((e) => ![273, 278, 279, 34665].includes(e.tag));
    entries.find((e) => e.tag === 259)!.value = [7];
    entries.push({ tag: 322, type: 4, value: [T] }, { tag: 323, type: 4, value: [T] });
    const dng = writeTiffTree({ entries, tiles });
    expect(Array.from(readDng(dng).data)).toEqual(Array.from(readDng(cfaBytes).data));
    const path = join(dir, 'tiled.dng');
    writeFileSync(path, dng);
    execFileSync('unprocessed_raw', [path], { stdio: 'pipe' });
    expect(Array.from(pgmSamples(`${path}.pgm`).data)).toEqual(Array.from(made.dng.samples));
  });

  it('LibRaw reads the CFA DNG with the same pixels, pattern, levels and ISO', () => {
    const path = join(dir, 'cfa.dng');
    writeFileSync(path, cfaBytes);
    const info = execFileSync('raw-identify', ['-v', path], { encoding: 'utf8' });
    expect(info).toMatch(/ISO speed: 1600/);
    expect(info).toMatch(/Filter pattern: GRBG/);
    expect(info).toMatch(/black: 256/);
    expect(info).toMatch(/Image size: +96 x 64/);
    execFileSync('unprocessed_raw', [path], { stdio: 'pipe' });
    const pgm = pgmSamples(`${path}.pgm`);
    expect([pgm.width, pgm.height]).toEqual([W, H]);
    expect(Array.from(pgm.data)).toEqual(Array.from(made.dng.samples));
  });

  it('writes a linear DNG that exiftool validates and LibRaw decodes to the same camera RGB, metadata kept', () => {
    const rgb = new Float32Array(W * H * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = ((i * 37) % 1000) / 999;
    const path = join(dir, 'linear.dng');
    writeFileSync(path, writeLinearDng(W, H, rgb, made.dng.meta));
    const tiff = parseTiff(readFileSync(path));
    expect(nums(tiff.ifds[0], 262)).toEqual([34892]);
    expect(nums(tiff.ifds[0], 262)).not.toEqual([CFA_PHOTOMETRIC]);
    const check = execFileSync('exiftool', ['-validate', '-warning', '-a', '-ISO', '-AsShotNeutral', '-ColorMatrix1', '-ExposureTime', '-FNumber', '-Make', '-UniqueCameraModel', path], { encoding: 'utf8' });
    expect(check).toMatch(/Validate\s+: OK/);
    expect(check).toMatch(/ISO\s+: 1600/);
    expect(check).toMatch(/Exposure Time\s+: 1\/125/);
    expect(check).toMatch(/F Number\s+: 4\.0/);
    expect(check).toMatch(/Unique Camera Model\s+: Mend Unprocessed test camera/);
    const neutral = /As Shot Neutral\s+: ([\d. ]+)/.exec(check)![1].trim().split(/\s+/).map(Number);
    neutral.forEach((x, i) => expect(x).toBeCloseTo(made.dng.meta.asShotNeutral[i], 4));
    // dcraw_emu in camera colours (-o 0), unit white balance, linear 16-bit: the stored values.
    execFileSync('dcraw_emu', ['-4', '-o', '0', '-r', '1', '1', '1', '1', '-T', '-Z', join(dir, 'linear.tiff'), path], { stdio: 'pipe' });
    const got = stripSamples(join(dir, 'linear.tiff'));
    expect(got.length).toBe(W * H * 3);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - Math.round(rgb[i] * 65535)));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('carries the orientation, default crop and rendering tags of the original into the linear DNG', () => {
    const meta = {
      ...made.dng.meta,
      copied: [{ tag: 274, type: 3 as const, value: [6] }, { tag: 50730, type: 10 as const, value: [0.5] }, { tag: 33432, type: 2 as const, value: 'A. Photographer' },
        { tag: 50719, type: 4 as const, value: [8, 8] }, { tag: 50720, type: 4 as const, value: [W - 16, H - 16] }],
    };
    const raw = readDng(writeCfaDng({ ...made.dng, meta }));
    expect(raw.meta.copied!.map((e) => e.tag).sort()).toEqual([274, 33432, 50719, 50720, 50730]);
    const linear = parseTiff(writeLinearDng(W, H, new Float32Array(W * H * 3), raw.meta));
    expect(nums(linear.ifds[0], 274)).toEqual([6]);
    expect(nums(linear.ifds[0], 50730)).toEqual([0.5]);
    expect(linear.ifds[0].entries.get(33432)?.value).toBe('A. Photographer');
    expect(nums(linear.ifds[0], 50720)).toEqual([W - 16, H - 16]);
    // Without an orientation in the source, the output says 1 (as stored).
    expect(nums(parseTiff(writeLinearDng(W, H, new Float32Array(W * H * 3), made.dng.meta)).ifds[0], 274)).toEqual([1]);
  });

  it('crops to the ActiveArea (moving the CFA phase with an odd origin) and subtracts black per CFA position', () => {
    const parsed = parseTiff(cfaBytes);
    const entries: TiffEntry[] = [...parsed.ifds[0].entries.values()].filter((e) => ![273, 278, 279, 34665].includes(e.tag));
    entries.push({ tag: 50829, type: 4, value: [1, 3, H - 1, W - 1] }); // top, left, bottom, right
    entries.find((e) => e.tag === 50713)!.value = [2, 2];
    entries.find((e) => e.tag === 50714)!.value = [250, 252, 254, 256];
    const pixels = new Uint8Array(made.dng.samples.buffer.slice(0));
    const raw = readDng(writeTiff(entries, pixels, H));
    expect([raw.width, raw.height]).toEqual([W - 4, H - 2]);
    // The pattern (GRBG) is given for the stored image's origin; at (3, 1) it reads GBRG, as
    // LibRaw's raw-identify reports for the same file.
    expect(raw.cfa).toEqual([1, 2, 0, 1]);
    for (const [x, y] of [[0, 0], [1, 0], [0, 1], [5, 7], [W - 5, H - 3]]) {
      const fx = x + 3, fy = y + 1;
      // BlackLevel's pattern starts at the ActiveArea's corner (DNG 1.4, BlackLevel).
      const black = [250, 252, 254, 256][(y % 2) * 2 + (x % 2)];
      expect(raw.data[y * raw.width + x]).toBeCloseTo((made.dng.samples[fy * W + fx] - black) / (4095 - black), 6);
    }
  });

  it('reads the raw image from a SubIFD behind a preview in IFD0 (a DNG converter\'s layout), as LibRaw does', () => {
    const parsed = parseTiff(cfaBytes);
    const all = [...parsed.ifds[0].entries.values()].filter((e) => ![273, 278, 279, 34665].includes(e.tag));
    const inIfd0 = new Set([271, 272, 274, 305, 50706, 50707, 50708, 50721, 50728, 50778]);
    const preview = new Uint8Array(8 * 6 * 3).fill(128);
    const dng = writeTiffTree({
      entries: [
        ...all.filter((e) => inIfd0.has(e.tag)),
        { tag: 254, type: 4, value: [1] }, { tag: 256, type: 4, value: [8] }, { tag: 257, type: 4, value: [6] },
        { tag: 258, type: 3, value: [8, 8, 8] }, { tag: 259, type: 3, value: [1] }, { tag: 262, type: 3, value: [2] }, { tag: 277, type: 3, value: [3] },
      ],
      pixels: preview,
      height: 6,
      exif: parsed.exif ? [...parsed.exif.entries.values()] : [],
      subIfds: [{ entries: all.filter((e) => !inIfd0.has(e.tag)), pixels: new Uint8Array(made.dng.samples.buffer.slice(0)), height: H }],
    });
    const raw = readDng(dng);
    const flat = readDng(cfaBytes);
    expect(Array.from(raw.data)).toEqual(Array.from(flat.data));
    expect(raw.cfa).toEqual(flat.cfa);
    expect(raw.meta.colorMatrix1).toEqual(flat.meta.colorMatrix1);
    expect(raw.meta.iso).toBe(1600);
    const path = join(dir, 'sub.dng');
    writeFileSync(path, dng);
    expect(execFileSync('raw-identify', ['-v', path], { encoding: 'utf8' })).toMatch(/Image size: +96 x 64/);
    execFileSync('unprocessed_raw', [path], { stdio: 'pipe' });
    expect(Array.from(pgmSamples(`${path}.pgm`).data)).toEqual(Array.from(made.dng.samples));
  });

  it('refuses what it cannot read with a message, not a crash', () => {
    expect(() => readDng(writeLinearDng(4, 4, new Float32Array(48), made.dng.meta))).toThrow(/already demosaiced/);
    expect(() => readDng(cfaBytes.subarray(0, 3000))).toThrow(/truncated/);
    const notDng = writeTiff([{ tag: 256, type: 4, value: [1] }], new Uint8Array(2), 1);
    expect(() => readDng(notDng)).toThrow(/not a DNG/);
  });
});
