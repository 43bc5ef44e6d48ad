// Batch planning: tree mirroring, junk listing, symlinks, hostile names, collision-safe names.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInside, planBatch, resolveInside, sanitizeComponent, sanitizeRelativePath } from '../../../src-main/core/batch/plan.js';
import { writePhoto } from './helpers.js';

let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mend-plan-'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('sanitizeRelativePath', () => {
  const out = '/srv/out';
  it.each([
    ['../x', '__/x'],
    ['../../etc/passwd', '__/__/etc/passwd'],
    ['/abs/y', 'abs/y'],
    ['C:\\z', 'C_/z'],
    ['C:/Windows/z.jpg', 'C_/Windows/z.jpg'],
    ['a/./b/../c.jpg', 'a/b/__/c.jpg'],
    ['\\\\server\\share\\p.jpg', 'server/share/p.jpg'],
    ['..', '__'],
    ['.', '_'],
    ['', '_'],
    ['..x.jpg', '..x.jpg'],
    ['café/日本の写真 ñandú.jpg', 'café/日本の写真 ñandú.jpg'],
    ['we\u0000ird\nname.jpg', 'we_ird_name.jpg'],
    ['a:b*c?d"e<f>g|h.jpg', 'a_b_c_d_e_f_g_h.jpg'],
    ['CON.jpg', '_CON.jpg'],
    ['trailing. ', 'trailing__'],
  ])('%j -> %j, inside OUTDIR', (input, expected) => {
    const s = sanitizeRelativePath(input);
    expect(s).toBe(expected);
    const full = resolveInside(out, s);
    expect(isInside(out, full) && full !== out).toBe(true);
    expect(s.split('/')).not.toContain('..');
  });

  it('keeps Unicode (NFC) and bounds long names, keeping the extension', () => {
    expect(sanitizeComponent('e\u0301te\u0301.jpg')).toBe('été.jpg');
    const long = `${'写'.repeat(150)}.jpg`;
    const s = sanitizeComponent(long);
    expect(Buffer.byteLength(s)).toBeLessThanOrEqual(200);
    expect(s.endsWith('.jpg')).toBe(true);
  });

  it('resolveInside refuses what would leave OUTDIR', () => {
    expect(() => resolveInside('/srv/out', '../x')).toThrow(/outside/);
    expect(() => resolveInside('/srv/out', '')).toThrow(/outside/);
  });
});

describe('planBatch', () => {
  it('mirrors the tree with --recursive; without it lists sub-folders as skipped', async () => {
    const root = path.join(tmp, 'tree');
    await writePhoto(path.join(root, 'a.jpg'), 32, 24, 1);
    await writePhoto(path.join(root, 'sub', 'b.png'), 24, 16, 2);
    await writePhoto(path.join(root, 'sub', 'deep', 'c.jpg'), 16, 16, 3);
    const out = path.join(tmp, 'tree-out');
    const rec = await planBatch([root], { outDir: out, recursive: true });
    expect(rec.items.map((i) => i.outputRel)).toEqual(['a.jpg', 'sub/b.png', 'sub/deep/c.jpg']);
    expect(rec.items.map((i) => i.output)).toEqual(['a.jpg', 'sub/b.png', 'sub/deep/c.jpg'].map((r) => path.join(out, r)));
    expect(rec.items.map((i) => [i.width, i.height])).toEqual([[32, 24], [24, 16], [16, 16]]);
    const flat = await planBatch([root], { outDir: out });
    expect(flat.items.map((i) => i.outputRel)).toEqual(['a.jpg']);
    expect(flat.skipped).toEqual([{ path: path.join(root, 'sub'), reason: expect.stringContaining('--recursive') }]);
    const png = await planBatch([root], { outDir: out, recursive: true, format: 'png' });
    expect(png.items.map((i) => i.outputRel)).toEqual(['a.png', 'sub/b.png', 'sub/deep/c.png']);
  });

  it('skips and lists non-images; a JPEG without extension is sniffed in', async () => {
    const root = path.join(tmp, 'junk');
    await writePhoto(path.join(root, 'real.jpg'), 16, 16, 4);
    await writePhoto(path.join(root, 'tmp.jpg'), 16, 16, 5);
    const { rename } = await import('node:fs/promises');
    await rename(path.join(root, 'tmp.jpg'), path.join(root, 'IMG_0001'));
    const junk: Record<string, RegExp> = {
      'desktop.ini': /system/, '.DS_Store': /system/, 'real.xmp': /sidecar/, 'clip.MP4': /video/,
      'anim.gif': /GIF/, 'notes.txt': /not an image/, 'README': /not an image/, '._real.jpg': /resource fork/,
    };
    for (const name of Object.keys(junk)) await writeFile(path.join(root, name), 'junk data, not a picture');
    // Camera RAW files are inputs (issue 24): denoised in the raw domain, a linear DNG out.
    for (const name of ['IMG_2.CR2', 'IMG_3.DNG']) await writeFile(path.join(root, name), 'raw data');
    const plan = await planBatch([root], { outDir: path.join(tmp, 'junk-out') });
    expect(plan.items.map((i) => i.display)).toEqual(['IMG_0001', 'IMG_2.CR2', 'IMG_3.DNG', 'real.jpg']);
    expect(plan.items.map((i) => [i.outputRel, i.outputFormat, i.raw ?? null])).toEqual([
      ['IMG_0001.jpg', 'jpeg', null], ['IMG_2.dng', 'dng', 'cr2'], ['IMG_3.DNG', 'dng', 'dng'], ['real.jpg', 'jpeg', null],
    ]);
    const tiff = await planBatch([path.join(root, 'IMG_2.CR2')], { outDir: path.join(tmp, 'junk-out'), format: 'tiff' });
    expect(tiff.items.map((i) => [i.outputRel, i.outputFormat, i.channels])).toEqual([['IMG_2.tif', 'tiff', 1]]);
    expect(plan.skipped.map((s) => path.basename(s.path)).sort()).toEqual(Object.keys(junk).sort());
    for (const s of plan.skipped) expect(s.reason).toMatch(junk[path.basename(s.path)]);
  });

  it('gives colliding outputs distinct names, deterministically, never an input path, and keeps journal names', async () => {
    const root = path.join(tmp, 'clash');
    await writePhoto(path.join(root, 'a.jpg'), 16, 16, 6);
    await writePhoto(path.join(root, 'a.png'), 16, 16, 7);
    await writePhoto(path.join(root, 'A.PNG'), 16, 16, 8);
    await writePhoto(path.join(root, 'a-2.png'), 16, 16, 9);
    const out = path.join(tmp, 'clash-out');
    const p1 = await planBatch([root], { outDir: out, format: 'png' });
    const names = p1.items.map((i) => i.outputRel);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(4);
    expect(Object.fromEntries(p1.items.map((i) => [i.display, i.outputRel]))).toEqual({
      'A.PNG': 'A.PNG', 'a-2.png': 'a-2.png', 'a.jpg': 'a-3.png', 'a.png': 'a-4.png',
    });
    const p2 = await planBatch([root], { outDir: out, format: 'png' });
    expect(p2.items.map((i) => i.outputRel)).toEqual(names);
    // A journal said a.png -> a.png earlier: that input keeps its output.
    const pref = new Map([[path.join(root, 'a.png'), 'a.png']]);
    const p3 = await planBatch([root], { outDir: out, format: 'png', preferredOutputs: pref });
    const byInput = Object.fromEntries(p3.items.map((i) => [i.display, i.outputRel]));
    expect(byInput['a.png']).toBe('a.png');
    expect(new Set(Object.values(byInput).map((n) => n.toLowerCase())).size).toBe(4);
    // OUTDIR = the input folder's parent with the same names: outputs never land on inputs.
    const inside = await planBatch([path.join(root, 'a.jpg')], { outDir: root });
    expect(inside.items[0].output).not.toBe(path.join(root, 'a.jpg'));
  });

  it('does not follow links out of the input roots, cuts loops, and never reads OUTDIR or the masks folder', async () => {
    const root = path.join(tmp, 'links');
    const outside = path.join(tmp, 'outside');
    await writePhoto(path.join(root, 'a.jpg'), 16, 16, 10);
    await writePhoto(path.join(outside, 'secret.jpg'), 16, 16, 11);
    await symlink(path.join(outside, 'secret.jpg'), path.join(root, 'escape.jpg'));
    await symlink(outside, path.join(root, 'escape-dir'));
    await symlink(path.join(root, 'a.jpg'), path.join(root, 'alias.jpg'));
    await mkdir(path.join(root, 'sub'), { recursive: true });
    await symlink(root, path.join(root, 'sub', 'loop'));
    await writePhoto(path.join(root, 'out', 'old.jpg'), 16, 16, 12);
    await writePhoto(path.join(root, 'masks', 'a.png'), 16, 16, 13);
    const plan = await planBatch([root], { outDir: path.join(root, 'out'), recursive: true, exclude: [path.join(root, 'masks')] });
    expect(plan.items.map((i) => i.display)).toEqual(['a.jpg', 'alias.jpg']);
    const reasons = Object.fromEntries(plan.skipped.map((s) => [path.relative(root, s.path), s.reason]));
    expect(reasons['escape.jpg']).toMatch(/outside the input folders/);
    expect(reasons['escape-dir']).toMatch(/outside the input folders/);
    expect(reasons['out']).toMatch(/output folder/);
    expect(reasons['masks']).toMatch(/masks folder/);
  });

  it('keeps every output inside OUTDIR for hostile file and folder names', async () => {
    const root = path.join(tmp, 'hostile');
    const names = ['..x.jpg', '...jpg', 'a\\..\\..\\b.jpg', 'C:\\evil.jpg', 'nl\nname.jpg', '-rf.jpg', 'ñandú 写真.jpg', ' lead.jpg', 'CON.jpg'];
    for (const [i, n] of names.entries()) await writePhoto(path.join(root, n), 16, 16, 20 + i);
    await writePhoto(path.join(root, '..dir', 'inner.jpg'), 16, 16, 40);
    const out = path.join(tmp, 'hostile-out');
    const plan = await planBatch([root], { outDir: out, recursive: true });
    expect(plan.items).toHaveLength(names.length + 1);
    for (const it of plan.items) {
      expect(isInside(out, it.output) && it.output !== out).toBe(true);
      expect(it.outputRel.split('/')).not.toContain('..');
      expect(it.outputRel).not.toMatch(/[\\:\n]/);
    }
    const rel = plan.items.map((i) => i.outputRel);
    expect(rel).toContain('..x.jpg');
    expect(rel).toContain('ñandú 写真.jpg');
    expect(rel).toContain('..dir/inner.jpg');
    expect(new Set(rel.map((r) => r.toLowerCase())).size).toBe(rel.length);
  });

  it('fails clearly on a missing input and when OUTDIR is an input folder', async () => {
    await expect(planBatch([path.join(tmp, 'nope')], { outDir: path.join(tmp, 'o') })).rejects.toThrow(/not found/);
    const root = path.join(tmp, 'tree');
    await expect(planBatch([root], { outDir: root })).rejects.toThrow(/also an input folder/);
  });
});
