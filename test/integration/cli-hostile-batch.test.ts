// Batches, camera RAW files and decompression bombs through the real CLI (issue 20): one batch
// per output folder, an unwritable folder said in words, RAW files refused by name, and an
// image over the memory-based pixel limit refused before it is decoded.
import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeImage } from '../../src-main/core/image/io.js';
import { LOCK_NAME } from '../../src-main/core/batch/lock.js';
import { defaultPixelLimit, PEAK_BYTES_PER_PIXEL } from '../../src-main/core/image/pixel-limit.js';
import { JOURNAL_NAME } from '../../src-main/core/batch/journal.js';
import { MEND_BIN, REPO_ROOT, runMend } from '../helpers/cli.js';
import { deadPid, ENV, expectOneLine, hostileFixtures } from '../helpers/hostile.js';
import { naturalImage } from '../helpers/synthetic.js';

let tmp: string;
let photo: string;
let mask: string;

beforeAll(async () => {
  ({ tmp, photo, mask } = await hostileFixtures('mend-hostile-batch-'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
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
    const dng = path.join(tmp, 'shot.dng');
    await sharp(photo).tiff().toFile(nef);
    await sharp(photo).tiff().toFile(dng);
    const [r, c] = await Promise.all([
      runMend(['inpaint', nef, '--mask', mask, '-o', path.join(tmp, 'raw-out.png')], { env: ENV }),
      runMend(['corrupt', dng, '--noise', 'gaussian:10', '-o', path.join(tmp, 'raw-out.png')], { env: ENV }),
    ]);
    expect(r.code).toBe(1);
    expect(expectOneLine(r.stderr)).toContain(`${nef} is a camera RAW file (NEF)`);
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
