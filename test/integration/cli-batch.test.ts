// `mend batch` end to end (the compiled CLI, a tiny model): recursive mirroring, junk listed,
// a corrupt file failing alone, hostile names kept inside OUTDIR, resume after kill -9, Ctrl-C.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOURNAL_NAME, parseJournal } from '../../src-main/core/batch/journal.js';
import { REPORT_NAME } from '../../src-main/core/batch/report.js';
import { initBackend } from '../../src-main/core/runtime/backend.js';
import { MEND_BIN, REPO_ROOT, runMend } from '../helpers/cli.js';
import { listFiles, makeTinyModel, writePhoto } from '../unit/batch/helpers.js';

let tmp: string;
let model: string;
const ENV = { MEND_BACKEND: 'wasm' };

beforeAll(async () => {
  await initBackend('wasm');
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mend-cli-batch-'));
  model = await makeTinyModel(path.join(tmp, 'tiny-model'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const lines = (stdout: string): Record<string, any>[] => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const OWN = new Set([JOURNAL_NAME, REPORT_NAME]);

/** Spawns the CLI; calls `onLine` for each stdout line; resolves with the exit code or signal. */
function spawnMend(args: string[], onLine: (obj: Record<string, any>, child: ReturnType<typeof spawn>) => void) {
  const child = spawn(process.execPath, [MEND_BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
  let buf = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim()) onLine(JSON.parse(line), child);
    }
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
}

describe('mend batch', () => {
  it('mirrors the tree, lists junk, fails a corrupt file alone and writes nothing outside OUTDIR, whatever the names', async () => {
    const base = path.join(tmp, 'tree');
    const inDir = path.join(base, 'in');
    const outDir = path.join(base, 'out');
    await writePhoto(path.join(inDir, 'a.jpg'), 32, 24, 1, 'Artist A');
    await writePhoto(path.join(inDir, 'sub', 'b.png'), 24, 16, 2);
    await writePhoto(path.join(inDir, 'sub', 'deep', 'c.webp'), 16, 16, 3);
    await writePhoto(path.join(inDir, '..x.jpg'), 32, 24, 4, 'Artist X');
    await writePhoto(path.join(inDir, 'ñandú 写真.jpg'), 32, 24, 5);
    await writePhoto(path.join(inDir, '..', 'in', 'sub', '..dots', 'd.jpg'), 16, 16, 6);
    await writePhoto(path.join(inDir, 'C:\\evil.jpg'), 16, 16, 7);
    for (const junk of ['desktop.ini', '.DS_Store', 'sub/notes.xmp', 'sub/clip.mp4']) await writeFile(path.join(inDir, junk), 'junk');
    const good = await readFile(path.join(inDir, 'a.jpg'));
    await writeFile(path.join(inDir, 'sub', 'corrupt.jpg'), good.subarray(0, good.length >> 1));
    const before = await listFiles(base);

    const res = await runMend(['batch', inDir, '-o', outDir, '--recursive', '--model', model, '--sigma', '20', '--json'], { env: ENV });
    expect(res.code, res.stderr).toBe(1); // one file failed
    const out = lines(res.stdout);
    const result = out[out.length - 1];
    expect(result.type).toBe('result');
    expect([result.done, result.failed, result.skipped, result.total]).toEqual([7, 1, 0, 8]);
    expect(result.failures[0].input).toBe(path.join(inDir, 'sub', 'corrupt.jpg'));
    expect(result.failures[0].reason).toMatch(/corrupt\.jpg/);
    expect(result.notImages.map((n: { path: string }) => path.relative(inDir, n.path)).sort()).toEqual(['.DS_Store', 'desktop.ini', 'sub/clip.mp4', 'sub/notes.xmp']);

    // Nothing new outside OUTDIR; inside it, the mirrored tree.
    const after = await listFiles(base);
    expect(after.filter((f) => !f.startsWith('out/'))).toEqual(before);
    expect((await listFiles(outDir)).filter((f) => !OWN.has(f))).toEqual(
      ['..x.jpg', 'C__evil.jpg', 'a.jpg', 'sub/..dots/d.jpg', 'sub/b.png', 'sub/deep/c.webp', 'ñandú 写真.jpg'].sort(),
    );
    for (const [f, artist] of [['a.jpg', 'Artist A'], ['..x.jpg', 'Artist X']]) {
      expect((await sharp(path.join(outDir, f)).metadata()).exif?.toString('latin1')).toContain(artist);
    }
    const report = JSON.parse(await readFile(path.join(outDir, REPORT_NAME), 'utf8'));
    expect(report.status).toBe('completed');
    expect(report.files).toHaveLength(8);
    expect(result.report).toBe(path.join(outDir, REPORT_NAME));

    // Progress: an event per file with the file count.
    const fileEvents = out.filter((e) => e.type === 'progress' && e.batch?.event === 'file');
    expect(fileEvents.map((e) => e.done)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    // Human summary without --json.
    const plain = await runMend(['batch', inDir, '-o', outDir, '--recursive', '--model', model, '--sigma', '20'], { env: ENV });
    expect(plain.stdout).toMatch(/0 done, 7 skipped, 1 failed of 8 images/);
    expect(plain.stdout).toContain(`Report: ${path.join(outDir, REPORT_NAME)}`);
  });

  it('resumes after kill -9 mid-batch: every output once and whole, finished files not recomputed', async () => {
    const base = path.join(tmp, 'kill');
    const inDir = path.join(base, 'in');
    const outDir = path.join(base, 'out');
    const N = 24;
    const names = Array.from({ length: N }, (_, i) => `shot${String(i).padStart(2, '0')}.png`);
    for (const [i, n] of names.entries()) await writePhoto(path.join(inDir, n), 96, 72, 200 + i);
    const args = ['batch', inDir, '-o', outDir, '--model', model, '--sigma', '20', '--json'];
    const K = 3;
    let seen = 0;
    const killed = await spawnMend(args, (e, child) => {
      if (e.type === 'progress' && e.batch?.event === 'file' && ++seen === K) child.kill('SIGKILL');
    });
    expect(killed.signal).toBe('SIGKILL');
    const journal1 = parseJournal(await readFile(path.join(outDir, JOURNAL_NAME), 'utf8'));
    expect(journal1.length).toBeGreaterThanOrEqual(K);
    expect(journal1.length).toBeLessThan(N); // killed mid-batch
    const finished = new Map<string, number>();
    for (const e of journal1) finished.set(e.output, (await stat(path.join(outDir, e.output))).ino);

    const res = await runMend(args, { env: ENV });
    expect(res.code, res.stderr).toBe(0);
    const result = lines(res.stdout).pop()!;
    expect([result.skipped, result.done, result.failed]).toEqual([finished.size, N - finished.size, 0]);
    // Every output exactly once, decodable in full, no temp files.
    expect(await listFiles(outDir)).toEqual([...names, JOURNAL_NAME, REPORT_NAME].sort());
    for (const n of names) {
      const { info } = await sharp(path.join(outDir, n), { failOn: 'truncated' }).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([96, 72]);
    }
    // Files finished before the kill were not rewritten, and the report says why.
    const report = JSON.parse(await readFile(path.join(outDir, REPORT_NAME), 'utf8'));
    for (const [rel, ino] of finished) {
      expect((await stat(path.join(outDir, rel))).ino).toBe(ino);
      const rec = report.files.find((f: { output: string }) => f.output === path.join(outDir, rel));
      expect(rec.status).toBe('skipped');
      expect(rec.reason).toMatch(/already done/);
    }
    // Changed settings redo every file.
    const redo = await runMend([...args.slice(0, -1), '--strength', '0.5', '--json'], { env: ENV });
    expect(lines(redo.stdout).pop()!.done).toBe(N);
    const passes = await runMend([...args.slice(0, -1), '--strength', '0.5', '--passes', '2', '--json'], { env: ENV });
    expect(lines(passes.stdout).pop()!.done).toBe(N);
  });

  it('Ctrl-C cancels: exit 130, a cancelled report, only whole outputs', async () => {
    const base = path.join(tmp, 'sigint');
    const inDir = path.join(base, 'in');
    const outDir = path.join(base, 'out');
    for (let i = 0; i < 24; i++) await writePhoto(path.join(inDir, `p${String(i).padStart(2, '0')}.jpg`), 96, 72, 300 + i);
    let seen = 0;
    let result: Record<string, any> | undefined;
    const r = await spawnMend(['batch', inDir, '-o', outDir, '--model', model, '--json'], (e, child) => {
      if (e.type === 'progress' && e.batch?.event === 'file' && ++seen === 2) child.kill('SIGINT');
      if (e.type === 'result') result = e;
    });
    expect(r.code, r.stderr).toBe(130);
    expect(result?.status).toBe('cancelled');
    expect(result!.done).toBeLessThan(24);
    const files = (await listFiles(outDir)).filter((f) => !OWN.has(f));
    expect(files).toHaveLength(result!.done);
    for (const f of files) await sharp(path.join(outDir, f), { failOn: 'truncated' }).raw().toBuffer();
  });

  it('refuses bad usage with exit 2', async () => {
    expect((await runMend(['batch', '-o', path.join(tmp, 'x')], { env: ENV })).code).toBe(2);
    expect((await runMend(['batch', tmp], { env: ENV })).code).toBe(2);
    const inpaint = await runMend(['batch', tmp, '-o', path.join(tmp, 'x'), '--task', 'inpaint'], { env: ENV });
    expect(inpaint.code).toBe(2);
    expect(inpaint.stderr).toMatch(/--mask/);
    expect((await runMend(['batch', '--help'])).stdout).toMatch(/mend batch IN\.\.\. -o OUTDIR/);
  });
});
