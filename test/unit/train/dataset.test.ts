import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src-main/core/train/dataset.js';

describe('loadDataset', () => {
  let dir = '';
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('skips an unreadable image, reports it, and trains on the rest', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mend-ds-'));
    const png = await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: 90, g: 120, b: 200 } } }).png().toBuffer();
    await writeFile(path.join(dir, 'a.png'), png);
    await writeFile(path.join(dir, 'b.png'), png);
    await writeFile(path.join(dir, 'broken.jpg'), Buffer.from('definitely not a jpeg'));
    const skipped: string[] = [];
    const ds = await loadDataset(dir, 3, { minSide: 32, onSkipped: (file) => skipped.push(path.basename(file)) });
    expect(skipped).toEqual(['broken.jpg']);
    expect(ds.train.length + ds.val.length).toBe(2);
  });

  it('refuses a folder where nothing is readable, with a message', async () => {
    const bad = await mkdtemp(path.join(tmpdir(), 'mend-ds-bad-'));
    try {
      await writeFile(path.join(bad, 'x.png'), Buffer.from('nope'));
      await expect(loadDataset(bad, 3, { minSide: 32 })).rejects.toThrow(/no readable image/);
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });
});
