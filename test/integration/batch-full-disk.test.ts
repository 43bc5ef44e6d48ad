// A batch onto a disk that fills up (issue 20), on a real small file system: a 3 MiB tmpfs
// mounted for the test (CI runs as root; elsewhere this test fails and says it needs root).
// The files that do not fit are reported in words, no partial output or temp file is left, the
// journal stays valid, and a rerun after freeing space completes the rest.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, open, readdir, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal, JOURNAL_NAME, JOURNAL_VERSION, parseJournal, type JournalEntry } from '../../src-main/core/batch/journal.js';
import { writeImage } from '../../src-main/core/image/io.js';
import { runMend } from '../helpers/cli.js';
import { naturalImage } from '../helpers/synthetic.js';

let tmp: string;
let disk: string;
let mounted = false;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mend-full-disk-'));
  disk = path.join(tmp, 'disk');
  await mkdir(disk);
  if (process.getuid?.() !== 0) throw new Error('this test mounts a small tmpfs and needs root (CI runs as root)');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', disk]);
  mounted = true;
});

afterAll(async () => {
  if (mounted) execFileSync('umount', [disk]);
  await rm(tmp, { recursive: true, force: true });
});

describe('batch onto a full disk', () => {
  it('reports the files that did not fit, leaves no partial output, and a rerun completes', async () => {
    const shoot = path.join(tmp, 'shoot');
    await mkdir(shoot);
    // Noise-like 16-bit pictures: outputs of a few hundred KB each.
    for (let i = 0; i < 5; i++) {
      const r = naturalImage(256, 192, 3, 20 + i);
      for (let k = 0; k < r.data.length; k++) r.data[k] = Math.min(1, Math.max(0, r.data[k]! + 0.2 * (Math.sin(k * 12.9898 + i) * 43758.5453 % 1)));
      await writeImage(path.join(shoot, `f${i}.png`), { raster: r, bitDepth: 16 });
    }
    const out = path.join(disk, 'out');
    const args = ['batch', shoot, '-o', out, '--sigma', '10', '--json'];
    // Leave room for two and a half outputs, sized by a run onto the ordinary disk.
    const ref = path.join(tmp, 'ref');
    expect((await runMend(['batch', shoot, '-o', ref, '--sigma', '10'], { env: { MEND_BACKEND: 'wasm' } })).code).toBe(0);
    const sizes = await Promise.all((await readdir(ref)).filter((n) => n.endsWith('.png')).map(async (n) => (await stat(path.join(ref, n))).size));
    const average = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    const fs = await statfs(disk);
    const filler = path.join(disk, 'filler');
    await writeFile(filler, Buffer.alloc(Math.max(0, Math.floor(fs.bavail * fs.bsize - 2.5 * average - 64 * 1024))));

    const first = await runMend(args, { env: { MEND_BACKEND: 'wasm' } });
    const result = JSON.parse(first.stdout.trim().split('\n').at(-1)!);
    expect(first.code, first.stderr).toBe(1);
    expect(result.failed).toBeGreaterThan(0);
    expect(result.done).toBeGreaterThan(0);
    for (const f of result.failures) expect(f.reason).toMatch(/Cannot write .+: the disk is full/);
    expect(first.stderr).not.toMatch(/internal error|ENOSPC/);

    const check = async (): Promise<string[]> => {
      const names = await readdir(out);
      expect(names.filter((n) => n.includes('.mend-tmp')), 'temp files left').toEqual([]);
      const text = await readFile(path.join(out, JOURNAL_NAME), 'utf8');
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      const entries = parseJournal(text);
      expect(entries.length, 'every journal line is a whole entry').toBe(lines.length);
      // Every output is whole (decodes) and recorded; nothing else is there.
      const outputs = names.filter((n) => n.endsWith('.png'));
      expect(outputs.sort()).toEqual(entries.map((e) => e.output).sort());
      for (const o of outputs) expect((await sharp(path.join(out, o)).metadata()).width).toBe(256);
      return outputs;
    };
    expect(await check()).toHaveLength(result.done);

    await rm(filler);
    const second = await runMend(args, { env: { MEND_BACKEND: 'wasm' } });
    expect(second.code, second.stderr).toBe(0);
    const again = JSON.parse(second.stdout.trim().split('\n').at(-1)!);
    expect(again.done).toBe(result.failed);
    expect(again.skipped).toBe(result.done);
    expect((await check()).sort()).toEqual(['f0.png', 'f1.png', 'f2.png', 'f3.png', 'f4.png']);
  });

  it('a journal line cut by the full disk does not swallow the next entry', async () => {
    await rm(path.join(disk, 'out'), { recursive: true, force: true });
    const dir = path.join(disk, 'journal');
    await mkdir(dir);
    const entry = (output: string, pad = ''): JournalEntry => ({
      v: JOURNAL_VERSION, input: `/shoot/${output}${pad}`, inputHash: 'a'.repeat(64), inputSize: 1, output, outputSize: 1, settingsHash: 'b'.repeat(64),
      settings: { task: 'denoise', model: 'm', modelCreated: '', modelHash: '', format: 'png', quality: null, depth: null, keepMetadata: true, tile: 512, engine: 1 },
      finished: '2026-01-01T00:00:00Z', seconds: 1,
    });
    // A first entry that ends 6 bytes before a page boundary (tmpfs allocates 4 KiB pages)...
    const first = JSON.stringify(entry('one.png')) + '\n';
    await writeFile(path.join(dir, JOURNAL_NAME), JSON.stringify(entry('one.png', 'x'.repeat(4090 - first.length))) + '\n');
    const journal = await Journal.load(dir);
    await journal.begin();
    // ...then no page left.
    const filler = path.join(disk, 'filler');
    const fh = await open(filler, 'w');
    const page = Buffer.alloc(4096, 1);
    try {
      for (;;) await fh.write(page);
    } catch (e) {
      expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      await fh.close();
    }
    await expect(journal.append(entry('two.png'))).rejects.toThrow(/Cannot write .+mend-batch-journal\.jsonl: the disk is full/);
    const cut = await readFile(path.join(dir, JOURNAL_NAME), 'utf8');
    expect(cut.length).toBeGreaterThan(4090); // part of the second line made it
    await rm(filler);
    await journal.append(entry('three.png'));
    await journal.close();
    expect(parseJournal(await readFile(path.join(dir, JOURNAL_NAME), 'utf8')).map((e) => e.output)).toEqual(['one.png', 'three.png']);
  });
});
