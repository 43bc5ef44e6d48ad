// Similar-image search by autoencoder codes: on a generated folder of near-duplicates (crops,
// shifts, exposure changes, noise) the nearest codes find the right images (recall@5 >= 0.9),
// the bursts come out as groups, and the index is incremental (unchanged files are not decoded
// again, the encoder is kept until the folder changes a lot).
import { copyFile, mkdir, mkdtemp, rm, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/core/runtime/backend.js';
import { codeOfFile, indexFolder, nearDuplicateGroups, nearest, projectCodes, type IndexReport } from '../../../src-main/core/lab/similar.js';
import { recallAtK, writeNearDuplicates, type NearDuplicateFolder } from '../../helpers/shoot.js';

let dir = '';
let folder: NearDuplicateFolder;
let first: IndexReport;
const indexFile = (): string => path.join(dir, 'cache', 'index.json');

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(path.join(os.tmpdir(), 'mend-similar-'));
  await mkdir(path.join(dir, 'shoot'));
  folder = await writeNearDuplicates(path.join(dir, 'shoot'), 16, 8, 1);
  const t0 = performance.now();
  first = await indexFolder(path.join(dir, 'shoot'), { indexFile: indexFile() });
  console.log(`indexed ${first.index.entries.length} images in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('similar-image search', () => {
  it('finds the near-duplicates: recall@5 >= 0.9', async () => {
    expect(first.decoded).toBe(88);
    expect(first.retrained).toBe(true);
    const neighbours = new Map<string, string[]>();
    for (const file of folder.groups.keys()) {
      const { code, entry } = await codeOfFile(first.index, path.join(dir, 'shoot', file));
      expect(entry?.path).toBe(file);
      neighbours.set(file, nearest(first.index, code, 5, file).map((m) => m.path));
    }
    const recall = recallAtK(folder.groups, (f) => neighbours.get(f)!, 5);
    console.log(`recall@5 ${recall.toFixed(3)}`);
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });

  it('groups the bursts', () => {
    const groups = nearDuplicateGroups(first.index);
    // Every group is one scene, and most scenes come out whole.
    for (const g of groups) expect(new Set(g.map((f) => folder.groups.get(f) ?? f)).size).toBe(1);
    const whole = groups.filter((g) => g.length === 5).length;
    console.log(`groups: ${groups.map((g) => g.length).join(',')}`);
    expect(whole).toBeGreaterThanOrEqual(14);
    expect(projectCodes(first.index)).toHaveLength(88);
  });

  it('is incremental: unchanged files are reused, a touched or new file is decoded alone', async () => {
    const again = await indexFolder(path.join(dir, 'shoot'), { indexFile: indexFile() });
    expect(again.decoded).toBe(0);
    expect(again.reused).toBe(88);
    expect(again.retrained).toBe(false);
    const touched = path.join(dir, 'shoot', 'single-0.png');
    await utimes(touched, new Date(), new Date(Date.now() + 5000));
    await copyFile(path.join(dir, 'shoot', 'scene-0-a-original.png'), path.join(dir, 'shoot', 'scene-0-f-copy.png'));
    const third = await indexFolder(path.join(dir, 'shoot'), { indexFile: indexFile() });
    expect(third.decoded).toBe(2);
    expect(third.reused).toBe(87);
    expect(third.retrained).toBe(false);
    // The copy's nearest neighbour is its original, at distance ~0.
    const { code } = await codeOfFile(third.index, path.join(dir, 'shoot', 'scene-0-f-copy.png'));
    const [best] = nearest(third.index, code, 1, 'scene-0-f-copy.png');
    expect(best!.path).toBe('scene-0-a-original.png');
    expect(best!.distance).toBeLessThan(1e-4);
    await rm(path.join(dir, 'shoot', 'scene-0-f-copy.png'));
    const fourth = await indexFolder(path.join(dir, 'shoot'), { indexFile: indexFile() });
    expect(fourth.removed).toBe(1);
    expect(fourth.index.entries).toHaveLength(88);
  });
});
