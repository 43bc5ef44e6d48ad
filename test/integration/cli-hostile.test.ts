// Hostile and careless input to the real CLI (issue 20): each case ends with one clear line and
// an exit code, and no input or model is written over.
import { spawn } from 'node:child_process';
import { chmod, copyFile, cp, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeImage } from '../../src-main/core/image/io.js';
import { LOCK_NAME } from '../../src-main/core/batch/lock.js';
import { defaultPixelLimit, PEAK_BYTES_PER_PIXEL } from '../../src-main/core/image/pixel-limit.js';
import { JOURNAL_NAME } from '../../src-main/core/batch/journal.js';
import { MEND_BIN, REPO_ROOT, runMend } from '../helpers/cli.js';
import { naturalImage } from '../helpers/synthetic.js';

const ENV = { MEND_BACKEND: 'wasm' };
let tmp: string;
let photo: string;
let mask: string;

/** One line on stderr starting with "mend:", no stack trace. */
function expectOneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.startsWith('mend:'));
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at |internal error/);
  return lines[0]!;
}

/** A process id that is certainly dead: a child that has exited. */
function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', '0']);
    child.once('exit', () => resolve(child.pid!));
  });
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mend-hostile-'));
  await chmod(tmp, 0o755); // the unwritable-folder case runs as another user
  photo = path.join(tmp, 'photo.png');
  mask = path.join(tmp, 'mask.png');
  await writeImage(photo, { raster: naturalImage(48, 40, 3, 3) });
  const m = new Uint8Array(48 * 40);
  for (let i = 0; i < 40; i++) m[i * 48 + 10] = 1;
  await writeImage(mask, { raster: { width: 48, height: 40, channels: 1, data: Float32Array.from(m) } });
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('mend train --out (defect 1)', () => {
  it('refuses a folder that holds a model, or anything, unless --force or --resume with a checkpoint', async () => {
    const model = path.join(tmp, 'gray-lite-copy');
    await cp(path.join(REPO_ROOT, 'models', 'gray-lite'), model, { recursive: true });
    const before = await readFile(path.join(model, 'weights.bin'));
    const data = path.join(tmp, 'train-data');
    await mkdir(data);
    await copyFile(photo, path.join(data, 'a.png'));
    const base = ['train', '--data', data, '--steps', '1', '--batch', '1', '--patch', '16', '--width', '8', '--depth', '3', '--val-every', '1'];

    const r = await runMend([...base, '--out', model], { env: ENV });
    expect(r.code).toBe(2);
    expect(expectOneLine(r.stderr)).toContain(`--out ${model} already holds a model`);
    const resumed = await runMend([...base, '--out', model, '--resume'], { env: ENV });
    expect(resumed.code).toBe(2);
    expect(expectOneLine(resumed.stderr)).toContain('holds no checkpoint');
    expect((await readFile(path.join(model, 'weights.bin'))).equals(before)).toBe(true);

    const other = path.join(tmp, 'notes-folder');
    await mkdir(other);
    await writeFile(path.join(other, 'notes.txt'), 'mine');
    const r2 = await runMend([...base, '--out', other], { env: ENV });
    expect(r2.code).toBe(2);
    expect(expectOneLine(r2.stderr)).toContain('is a folder with 1 entry in it');
    expect(await readdir(other)).toEqual(['notes.txt']);
  });
});

describe('inputs are never outputs (defect 3)', () => {
  it('mend inpaint -o MASK and mend anomaly -o X --mask-out X are refused before any work', async () => {
    const before = await readFile(mask);
    const r = await runMend(['inpaint', photo, '--mask', mask, '-o', mask], { env: ENV });
    expect(r.code).toBe(2);
    expect(expectOneLine(r.stderr)).toContain(`output ${mask} is the mask`);
    expect((await readFile(mask)).equals(before)).toBe(true);

    const same = path.join(tmp, 'same.png');
    const a = await runMend(['anomaly', photo, '-o', same, '--mask-out', same], { env: ENV });
    expect(a.code).toBe(2);
    expect(expectOneLine(a.stderr)).toContain('are the same file');
  });
});

describe('model weights (defect 5)', () => {
  it('a model with a NaN weight is refused by denoise and eval with a message', async () => {
    const model = path.join(tmp, 'nan-model');
    await cp(path.join(REPO_ROOT, 'models', 'gray-lite'), model, { recursive: true });
    const w = await readFile(path.join(model, 'weights.bin'));
    w.writeFloatLE(Number.NaN, 0);
    await writeFile(path.join(model, 'weights.bin'), w);

    const out = path.join(tmp, 'nan-out.png');
    const r = await runMend(['denoise', photo, '--model', model, '--sigma', '20', '-o', out], { env: ENV });
    expect(r.code).toBe(1);
    expect(expectOneLine(r.stderr)).toMatch(/weights are broken \(.+ holds NaN\)/);
    await expect(stat(out)).rejects.toThrow();

    const data = path.join(tmp, 'eval-data');
    await mkdir(data);
    await copyFile(photo, path.join(data, 'a.png'));
    const e = await runMend(['eval', '--data', data, '--model', model, '--sigma', '25'], { env: ENV });
    expect(e.code).toBe(1);
    expect(e.stdout).not.toContain('NaN');
    expect(expectOneLine(e.stderr)).toContain('weights are broken');
  });
});

describe('small images (defect 7)', () => {
  it('an image too small for the noise estimate is named; with --sigma it denoises', async () => {
    const tiny = path.join(tmp, 'tiny.png');
    const strip = path.join(tmp, 'strip.png');
    await writeImage(tiny, { raster: { width: 1, height: 1, channels: 3, data: new Float32Array([0.5, 0.5, 0.5]) } });
    await writeImage(strip, { raster: naturalImage(3, 2000, 3, 4) });
    for (const f of [tiny, strip]) {
      const r = await runMend(['denoise', f, '-o', path.join(tmp, 'small-out.png')], { env: ENV });
      expect(r.code).toBe(1);
      expect(expectOneLine(r.stderr)).toContain(`${f} is `);
      expect(r.stderr).toContain('give the level with --sigma N');
    }
    const ok = await runMend(['denoise', tiny, '--sigma', '10', '-o', path.join(tmp, 'tiny-out.png')], { env: ENV });
    expect(ok.code, ok.stderr).toBe(0);
    expect((await sharp(path.join(tmp, 'tiny-out.png')).metadata()).width).toBe(1);
  });
});

describe('numbers (defect 10)', () => {
  it('empty, blank and hexadecimal numbers are refused, decimals still read', async () => {
    for (const [flag, value] of [['--sigma', ''], ['--strength', ''], ['--sigma', '0x1f'], ['--strength', ' '], ['--sigma', 'Infinity'], ['--quality', '0b11']]) {
      const r = await runMend(['denoise', photo, flag!, value!, '-o', path.join(tmp, 'num.png')], { env: ENV });
      expect(r.code, `${flag} "${value}"`).toBe(2);
      expect(expectOneLine(r.stderr)).toContain(`${flag} must be`);
    }
    const ok = await runMend(['denoise', photo, '--sigma', '1.5e1', '--strength', '.5', '-o', path.join(tmp, 'num.png'), '--json'], { env: ENV });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('"sigma":15');
  });
});

describe('outputs checked before the work (defect 13)', () => {
  it('a missing -o folder is reported before denoising', async () => {
    const r = await runMend(['denoise', photo, '-o', path.join(tmp, 'no-such-dir') + '/', '--json'], { env: ENV });
    expect(r.code).toBe(1);
    expect(expectOneLine(r.stderr)).toContain(`the folder ${path.join(tmp, 'no-such-dir')} does not exist`);
    // No progress event: nothing ran.
    expect(r.stdout).not.toContain('"type":"progress"');
  });
});

describe('batch output folder (defects 4 and 9)', () => {
  it('a folder locked by a running batch is refused, naming it; a dead batch\'s lock is taken over', async () => {
    const out = path.join(tmp, 'locked-out');
    await mkdir(out);
    // The test runner is alive: its lock stands for a batch in progress.
    await writeFile(path.join(out, LOCK_NAME), JSON.stringify({ pid: process.pid, host: os.hostname(), started: new Date().toISOString() }));
    const r = await runMend(['batch', photo, '-o', out, '--sigma', '10'], { env: ENV });
    expect(r.code).toBe(1);
    expect(expectOneLine(r.stderr)).toContain(`Another batch is writing into ${out} (process ${process.pid}`);
    expect(await readdir(out)).toEqual([LOCK_NAME]);

    await writeFile(path.join(out, LOCK_NAME), JSON.stringify({ pid: await deadPid(), host: os.hostname(), started: '2020-01-01T00:00:00Z' }));
    const ok = await runMend(['batch', photo, '-o', out, '--sigma', '10'], { env: ENV });
    expect(ok.code, ok.stderr).toBe(0);
    const names = await readdir(out);
    expect(names).toContain('photo.png');
    expect(names).not.toContain(LOCK_NAME); // released at the end
    expect((await readFile(path.join(out, JOURNAL_NAME), 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it('a second batch into the folder of a batch in progress is refused; the first one\'s outputs and journal are its own', async () => {
    const shoot = path.join(tmp, 'race-in');
    await mkdir(shoot);
    for (let i = 0; i < 8; i++) await writeImage(path.join(shoot, `s${i}.png`), { raster: naturalImage(256, 192, 3, 10 + i) });
    const out = path.join(tmp, 'race-out');
    const first = spawn(process.execPath, [MEND_BIN, 'batch', shoot, '-o', out, '--sigma', '10', '--strength', '1', '--json'], { cwd: REPO_ROOT, env: { ...process.env, ...ENV } });
    let events = '';
    const exited = new Promise<number>((resolve) => first.once('exit', (code) => resolve(code ?? -1)));
    // Wait until the first batch has started on its files.
    await new Promise<void>((resolve, reject) => {
      first.stdout.on('data', (d: Buffer) => {
        events += d.toString();
        if (events.includes('"type":"progress"')) resolve();
      });
      void exited.then(() => reject(new Error(`the first batch ended before its first progress event:\n${events}`)));
    });
    // Held still while the second one tries (small images go fast): it is mid-batch for sure.
    process.kill(first.pid!, 'SIGSTOP');
    let second;
    try {
      second = await runMend(['batch', shoot, '-o', out, '--sigma', '10', '--strength', '0.5'], { env: ENV });
    } finally {
      process.kill(first.pid!, 'SIGCONT');
    }
    expect(await exited).toBe(0);
    expect(second.code).toBe(1);
    expect(expectOneLine(second.stderr)).toContain(`Another batch is writing into ${out} (process ${first.pid}`);
    const journal = (await readFile(path.join(out, JOURNAL_NAME), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(journal).toHaveLength(8);
    expect(new Set(journal.map((e) => e.settings.strength))).toEqual(new Set([1]));
  });

  it('an unwritable output folder is said in words', async () => {
    const locked = path.join(tmp, 'read-only');
    await mkdir(locked);
    await chmod(locked, 0o555);
    const out = path.join(locked, 'out');
    // Root may write anywhere: run the CLI as an ordinary user there.
    const asUser = process.getuid?.() === 0;
    const r = asUser
      ? await new Promise<{ code: number; stderr: string }>((resolve) => {
          const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, MEND_BIN, 'batch', photo, '-o', out, '--sigma', '10'], {
            cwd: REPO_ROOT, env: { ...process.env, ...ENV, HOME: tmp },
          });
          let stderr = '';
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          child.once('exit', (code) => resolve({ code: code ?? -1, stderr }));
        })
      : await runMend(['batch', photo, '-o', out, '--sigma', '10'], { env: ENV });
    expect(r.code).toBe(1);
    expect(expectOneLine(r.stderr)).toBe(`mend: Cannot write ${out}: permission denied`);
  });
});

describe('camera RAW files (issue 24, until RAW is read)', () => {
  it('commands other than denoise refuse a .nef, a .dng and a DNG named .tif by name (not their embedded preview)', async () => {
    const nef = path.join(tmp, 'shot.nef');
    await sharp(photo).tiff().toFile(nef);
    const r = await runMend(['inpaint', nef, '--mask', mask, '-o', path.join(tmp, 'raw-out.png')], { env: ENV });
    expect(r.code).toBe(1);
    expect(expectOneLine(r.stderr)).toContain(`${nef} is a camera RAW file (NEF)`);
    const dng = path.join(tmp, 'shot.dng');
    await sharp(photo).tiff().toFile(dng);
    const c = await runMend(['corrupt', dng, '--noise', 'gaussian:10', '-o', path.join(tmp, 'raw-out.png')], { env: ENV });
    expect(c.code).toBe(1);
    expect(expectOneLine(c.stderr)).toContain(`${dng} is a camera RAW file (DNG)`);

    // A TIFF whose first IFD carries DNGVersion, as every DNG does, under a TIFF name.
    const disguised = path.join(tmp, 'disguised.tif');
    await writeFile(disguised, dngLikeTiff());
    const b = await runMend(['batch', disguised, '-o', path.join(tmp, 'raw-batch'), '--sigma', '10', '--json'], { env: ENV });
    expect(b.code).toBe(1);
    const result = JSON.parse(b.stdout.trim().split('\n').at(-1)!);
    expect(result.failures[0].reason).toContain('is a camera RAW file (DNG)');
  });
});

describe('decompression bomb', () => {
  it('a PNG of a few hundred KB just over the memory-based pixel limit is refused before decoding, with a small peak memory', async () => {
    // The limit is what half of this machine's memory holds at a denoise's peak bytes per pixel
    // (here: 23 GB, 147 MP, so sharp's own 268 MP guard let a 16000x16000 PNG through, and its
    // denoise passed 7 GB at 57%); the bomb is the smallest square over it.
    const limit = defaultPixelLimit();
    expect(limit * PEAK_BYTES_PER_PIXEL).toBeLessThanOrEqual(Math.max(os.totalmem() / 2, 24e6 * PEAK_BYTES_PER_PIXEL));
    const side = Math.ceil(Math.sqrt(limit + 1));
    const bomb = path.join(tmp, 'bomb.png');
    await sharp({ create: { width: side, height: side, channels: 3, background: '#808080' } }).png({ compressionLevel: 9 }).toFile(bomb);
    // The CLI in a process that reports its own peak RSS when it ends.
    const script = `const { main } = await import(${JSON.stringify(path.join(REPO_ROOT, 'dist/src-main/cli/main.js'))});
      const code = await main(process.argv.slice(1)); console.log('MAXRSS ' + process.resourceUsage().maxRSS); process.exit(code);`;
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, 'denoise', bomb, '--sigma', '10', '-o', path.join(tmp, 'bomb-out.png')], {
        cwd: REPO_ROOT, env: { ...process.env, ...ENV, MEND_MAX_PIXELS: '' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
    expect(r.code, r.stderr).toBe(1);
    expect(expectOneLine(r.stderr)).toContain(`${bomb} is too large: ${side}x${side} (${side * side} pixels) is over the limit of ${limit} pixels`);
    const maxRssMb = Number(/MAXRSS (\d+)/.exec(r.stdout)![1]) / 1024;
    console.log(`decompression bomb ${side}x${side}, limit ${limit} pixels: peak RSS ${maxRssMb.toFixed(0)} MB`);
    expect(maxRssMb).toBeLessThan(600);
  });
});

/** A minimal little-endian TIFF: one 1x1 grey strip, with the DNGVersion tag in its first IFD. */
function dngLikeTiff(): Buffer {
  const entries: [number, number, number, number][] = [
    [256, 3, 1, 1], [257, 3, 1, 1], [258, 3, 1, 8], [259, 3, 1, 1], [262, 3, 1, 1], [273, 4, 1, 0], [277, 3, 1, 1], [278, 3, 1, 1], [279, 4, 1, 1],
    [50706, 1, 4, 0x00000401],
  ];
  const ifdAt = 8;
  const dataAt = ifdAt + 2 + entries.length * 12 + 4;
  const b = Buffer.alloc(dataAt + 1);
  b.write('II', 0, 'ascii');
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(ifdAt, 4);
  b.writeUInt16LE(entries.length, ifdAt);
  entries.forEach(([tag, type, count, value], i) => {
    const at = ifdAt + 2 + i * 12;
    b.writeUInt16LE(tag, at);
    b.writeUInt16LE(type, at + 2);
    b.writeUInt32LE(count, at + 4);
    if (type === 3) b.writeUInt16LE(value, at + 8);
    else b.writeUInt32LE(tag === 273 ? dataAt : value, at + 8);
  });
  b[dataAt] = 128;
  return b;
}
