import { describe, expect, it } from 'vitest';
import {
  isOutOfMemoryError,
  reflectIndex,
  runTiled,
  tilePlan,
  type TiledOptions,
  type TileRunner,
} from '../../../src-main/core/infer/tiles.js';
import { MendError } from '../../../src-main/shared/errors.js';
import { naturalImage } from '../../helpers/synthetic.js';

const base: TiledOptions = { tileSize: 64, overlap: 16, multiple: 8, inChannels: 3, outChannels: 3 };

function randomImage(width: number, height: number, channels: number, seed = 1): Float32Array {
  const a = new Float32Array(width * height * channels);
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32;
  }
  return a;
}

/** Box blur of radius r with reflection padding (mirror without repeating the edge). */
function boxBlur(input: Float32Array, height: number, width: number, channels: number, r: number): Float32Array {
  const out = new Float32Array(input.length);
  const norm = (2 * r + 1) ** 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let s = 0;
        for (let dy = -r; dy <= r; dy++) {
          const sy = reflectIndex(y + dy, height);
          for (let dx = -r; dx <= r; dx++) s += input[(sy * width + reflectIndex(x + dx, width)) * channels + c]!;
        }
        out[(y * width + x) * channels + c] = s / norm;
      }
    }
  }
  return out;
}

/** Bit-exact comparison without vitest's slow deep equality on large arrays. */
function expectSame(a: Float32Array, b: Float32Array): void {
  expect(a.length).toBe(b.length);
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) diff++;
  expect(diff).toBe(0);
}

const identity: TileRunner = async (input) => new Float32Array(input);

describe('reflectIndex', () => {
  it('mirrors without repeating the edge, for pads larger than the region', () => {
    expect([-3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7].map((i) => reflectIndex(i, 3))).toEqual([
      1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1,
    ]);
    expect(reflectIndex(9, 1)).toBe(0);
  });
});

describe('tilePlan', () => {
  it('uses one tile when the image fits', () => {
    const plan = tilePlan(64, 50, base);
    expect(plan).toHaveLength(1);
    expect(plan[0]).toMatchObject({ x0: 0, y0: 0, x1: 64, y1: 50, rx0: 0, ry0: 0, rx1: 64, ry1: 50 });
  });
  it('partitions the image into cores no larger than tileSize, read regions within the image', () => {
    const plan = tilePlan(600, 333, base);
    const cover = new Uint8Array(600 * 333);
    for (const t of plan) {
      expect(t.x1 - t.x0).toBeLessThanOrEqual(64);
      expect(t.y1 - t.y0).toBeLessThanOrEqual(64);
      expect(t.rx0).toBeGreaterThanOrEqual(0);
      expect(t.rx0 % 8).toBe(0);
      expect(t.ry0 % 8).toBe(0);
      expect(t.rx1).toBeLessThanOrEqual(600);
      expect(t.ry1).toBeLessThanOrEqual(333);
      expect(t.rx0).toBeLessThanOrEqual(Math.max(0, t.x0 - 16));
      expect(t.rx1).toBeGreaterThanOrEqual(Math.min(600, t.x1 + 16));
      for (let y = t.y0; y < t.y1; y++) for (let x = t.x0; x < t.x1; x++) cover[y * 600 + x]!++;
    }
    expect(cover.every((v) => v === 1)).toBe(true);
  });
});

describe('runTiled', () => {
  it('returns the input exactly with an identity runner, any size', async () => {
    for (const [w, h] of [
      [1, 1],
      [7, 13],
      [100, 37],
      [600, 333],
    ] as const) {
      const input = randomImage(w, h, 3, w * 1000 + h);
      const sizes: [number, number][] = [];
      const run: TileRunner = async (x, th, tw) => {
        sizes.push([th, tw]);
        return new Float32Array(x);
      };
      const out = await runTiled(input, w, h, run, base);
      expectSame(out, input);
      for (const [th, tw] of sizes) {
        expect(th % 8).toBe(0);
        expect(tw % 8).toBe(0);
      }
    }
  });

  it('blending weights sum to 1: a pointwise runner gives exactly the pointwise output', async () => {
    const w = 150;
    const h = 97;
    const input = randomImage(w, h, 1, 7);
    const f = (v: number) => Math.fround(v * 0.5 + 0.1);
    const run: TileRunner = async (x) => x.map(f);
    const out = await runTiled(input, w, h, run, { ...base, inChannels: 1, outChannels: 1 });
    expectSame(out, input.map(f));
  });

  it('blends per-tile outputs smoothly: cores keep their tile value, overlaps ramp between', async () => {
    const w = 200;
    const h = 10;
    const plan = tilePlan(w, h, { ...base, inChannels: 1, outChannels: 1 });
    expect(plan).toHaveLength(4); // cores of 50 px, boundaries at 50, 100, 150
    let call = 0;
    const run: TileRunner = async (_x, th, tw) => new Float32Array(th * tw).fill(call++);
    const out = await runTiled(new Float32Array(w * h), w, h, run, { ...base, inChannels: 1, outChannels: 1 });
    for (let x = 0; x < w; x++) {
      const v = out[5 * w + x]!;
      const k = Math.floor(x / 50);
      const near = [50, 100, 150].find((b) => x >= b - 8 && x < b + 8);
      if (near === undefined) expect(v).toBe(k);
      else {
        expect(v).toBeGreaterThan(near / 50 - 1);
        expect(v).toBeLessThan(near / 50);
      }
      if (x > 0) expect(Math.abs(v - out[5 * w + x - 1]!)).toBeLessThan(0.12); // ~pi/2/16 per px
      expect(out[x]).toBe(v); // same across rows (one tile row)
    }
  });

  it('changes channel count (3 in, 1 out)', async () => {
    const input = randomImage(90, 70, 3, 3);
    const run: TileRunner = async (x, th, tw) => {
      const o = new Float32Array(th * tw);
      for (let p = 0; p < th * tw; p++) o[p] = x[p * 3 + 1]!;
      return o;
    };
    const out = await runTiled(input, 90, 70, run, { ...base, outChannels: 1 });
    expectSame(out, input.filter((_, i) => i % 3 === 1));
  });

  it('appends the constant planes to every tile, after the image channels', async () => {
    const input = randomImage(90, 70, 3, 4);
    const seen = new Set<string>();
    const run: TileRunner = async (x, th, tw) => {
      const o = new Float32Array(th * tw * 3);
      for (let p = 0; p < th * tw; p++) {
        seen.add(`${x[p * 5 + 3]},${x[p * 5 + 4]}`);
        for (let c = 0; c < 3; c++) o[p * 3 + c] = x[p * 5 + c]!;
      }
      return o;
    };
    const out = await runTiled(input, 90, 70, run, { ...base, tileSize: 32, constantPlanes: [0.25, -2] });
    // The padded edges (70 is not a multiple of 8) carry the constants too.
    expect([...seen]).toEqual(['0.25,-2']);
    expectSame(out, input);
  });

  it('a 5x5 box blur run tiled matches the blur of the whole image everywhere', async () => {
    const w = 150;
    const h = 110;
    const img = naturalImage(w, h, 3, 5);
    const run: TileRunner = async (x, th, tw) => boxBlur(x, th, tw, 3, 2);
    const out = await runTiled(img.data, w, h, run, base);
    const ref = boxBlur(img.data, h, w, 3, 2);
    let maxErr = 0;
    for (let i = 0; i < out.length; i++) maxErr = Math.max(maxErr, Math.abs(out[i]! - ref[i]!));
    expect(maxErr).toBeLessThan(1e-5);
  });

  it('keeps every tile in the whole image\'s phase: a runner that works on 8x8 blocks gives the untiled output', async () => {
    // Like a U-Net's space-to-depth: each output depends on which 8x8 block of the tile holds it.
    const blockMean: TileRunner = async (x, th, tw) => {
      const out = new Float32Array(x.length);
      for (let by = 0; by < th; by += 8) {
        for (let bx = 0; bx < tw; bx += 8) {
          for (let c = 0; c < 3; c++) {
            let sum = 0;
            for (let y = by; y < by + 8; y++) for (let xx = bx; xx < bx + 8; xx++) sum += x[(y * tw + xx) * 3 + c]!;
            for (let y = by; y < by + 8; y++) for (let xx = bx; xx < bx + 8; xx++) out[(y * tw + xx) * 3 + c] = sum / 64;
          }
        }
      }
      return out;
    };
    const w = 203;
    const h = 141;
    const img = randomImage(w, h, 3, 9);
    const whole = await runTiled(img, w, h, blockMean, { ...base, tileSize: 256 });
    const tiled = await runTiled(img, w, h, blockMean, base);
    let maxErr = 0;
    for (let i = 0; i < whole.length; i++) maxErr = Math.max(maxErr, Math.abs(tiled[i]! - whole[i]!));
    expect(maxErr).toBeLessThan(1e-6);
  });

  it('runs a fitting image as one padded tile, equal to untiled inference', async () => {
    const w = 61;
    const h = 45;
    const input = randomImage(w, h, 3, 11);
    let calls = 0;
    const run: TileRunner = async (x, th, tw) => {
      calls++;
      expect([th, tw]).toEqual([48, 64]);
      return boxBlur(x, th, tw, 3, 1);
    };
    const out = await runTiled(input, w, h, run, base);
    expect(calls).toBe(1);
    // Untiled: pad by reflection to 48x64, run, crop.
    const padded = new Float32Array(48 * 64 * 3);
    for (let y = 0; y < 48; y++)
      for (let x = 0; x < 64; x++)
        for (let c = 0; c < 3; c++)
          padded[(y * 64 + x) * 3 + c] = input[(reflectIndex(y, h) * w + reflectIndex(x, w)) * 3 + c]!;
    const full = boxBlur(padded, 48, 64, 3, 1);
    const expected = new Float32Array(w * h * 3);
    for (let y = 0; y < h; y++) expected.set(full.subarray(y * 64 * 3, (y * 64 + w) * 3), y * w * 3);
    expectSame(out, expected);
  });

  it('reports progress once per tile with increasing done', async () => {
    const calls: [number, number][] = [];
    const plan = tilePlan(200, 130, base);
    await runTiled(randomImage(200, 130, 3), 200, 130, identity, {
      ...base,
      onProgress: (done, total) => calls.push([done, total]),
    });
    expect(calls).toEqual(plan.map((_, i) => [i + 1, plan.length]));
  });

  it('throws a cancelled MendError when the signal has fired', async () => {
    const ac = new AbortController();
    ac.abort();
    const p = runTiled(randomImage(100, 100, 3), 100, 100, identity, { ...base, signal: ac.signal });
    await expect(p).rejects.toBeInstanceOf(MendError);
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('stops between tiles when cancelled mid-run', async () => {
    const ac = new AbortController();
    let calls = 0;
    const run: TileRunner = async (x) => {
      if (++calls === 2) ac.abort();
      return new Float32Array(x);
    };
    const p = runTiled(randomImage(200, 200, 3), 200, 200, run, { ...base, signal: ac.signal });
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    expect(calls).toBe(2);
  });

  it('retries with the tile size halved on out-of-memory errors', async () => {
    const input = randomImage(200, 150, 3, 9);
    const sizes: number[] = [];
    const run: TileRunner = async (x, th, tw) => {
      if (th > 64 || tw > 64) throw new Error('OOM when allocating tensor: out of memory');
      return new Float32Array(x);
    };
    const out = await runTiled(input, 200, 150, run, {
      ...base,
      tileSize: 256,
      overlap: 0,
      onOutOfMemory: (s) => sizes.push(s),
    });
    expect(sizes).toEqual([128, 64]);
    expectSame(out, input);
  });

  it('gives up below the minimum tile size and passes other errors through', async () => {
    const oom: TileRunner = async () => {
      throw new Error('out of memory');
    };
    await expect(runTiled(randomImage(100, 100, 3), 100, 100, oom, base)).rejects.toThrow('out of memory');
    let calls = 0;
    const bad: TileRunner = async () => {
      calls++;
      throw new Error('shape mismatch');
    };
    await expect(runTiled(randomImage(300, 300, 3), 300, 300, bad, { ...base, tileSize: 256 })).rejects.toThrow(
      'shape mismatch',
    );
    expect(calls).toBe(1);
  });

  it('recognises out-of-memory errors', () => {
    expect(isOutOfMemoryError(new Error('Failed to allocate memory'))).toBe(true);
    expect(isOutOfMemoryError(new RangeError('Array buffer allocation failed'))).toBe(true);
    expect(isOutOfMemoryError(new Error('Cannot allocate 4GB'))).toBe(true);
    expect(isOutOfMemoryError(new Error('OOM'))).toBe(true);
    expect(isOutOfMemoryError(new Error('zoom level invalid'))).toBe(false);
    expect(isOutOfMemoryError(new MendError('cancelled', 'Cancelled'))).toBe(false);
    expect(isOutOfMemoryError(undefined)).toBe(false);
  });
});

describe('runTiled with tiles in flight at once', () => {
  it('cuts strips when the tile height differs from the width', () => {
    const strips = tilePlan(1024, 1000, { ...base, tileSize: 512, tileHeight: 1024 });
    expect(strips.map((t) => [t.x0, t.x1, t.y0, t.y1])).toEqual([[0, 512, 0, 1000], [512, 1024, 0, 1000]]);
  });

  it('gives bit-identical output whatever order tiles finish in, with at most `concurrency` running', async () => {
    const w = 150;
    const h = 110;
    const input = randomImage(w, h, 3, 9);
    let running = 0;
    let most = 0;
    let calls = 0;
    const slowBlur: TileRunner = async (tile, th, tw) => {
      running++;
      most = Math.max(most, running);
      // Later tiles finish first: every third call waits longest.
      const delay = [9, 1, 4][calls++ % 3]!;
      await new Promise((r) => setTimeout(r, delay));
      running--;
      return boxBlur(tile, th, tw, 3, 2);
    };
    const one = await runTiled(input, w, h, slowBlur, { ...base, concurrency: 1 });
    expect(most).toBe(1);
    const three = await runTiled(input, w, h, slowBlur, { ...base, concurrency: 3 });
    expect(most).toBe(3);
    expect(Buffer.from(three.buffer).equals(Buffer.from(one.buffer))).toBe(true);
  });

  it('a failing tile fails the run even while later tiles are in flight', async () => {
    let calls = 0;
    const failing: TileRunner = async (tile) => {
      if (calls++ === 1) throw new MendError('internal', 'tile broke');
      await new Promise((r) => setTimeout(r, 5));
      return tile;
    };
    await expect(runTiled(randomImage(200, 200, 3), 200, 200, failing, { ...base, concurrency: 4 })).rejects.toThrow('tile broke');
  });
});
