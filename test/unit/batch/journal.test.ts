// The batch journal (cut lines after kill -9, last entry wins, settings hashing) and the pixel-weighted ETA.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchEta } from '../../../src-main/shared/eta.js';
import {
  canonicalJson, hashFile, Journal, JOURNAL_NAME, JOURNAL_VERSION, parseJournal, settingsHash, type BatchSettingsKey, type JournalEntry,
} from '../../../src-main/core/batch/journal.js';
import { Rng } from '../../../src-main/core/math/rng.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mend-journal-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const SETTINGS: BatchSettingsKey = {
  task: 'denoise', model: 'm', modelCreated: '2024', modelHash: 'abc', sigma: 'auto', strength: 1,
  format: 'jpeg', quality: null, depth: null, keepMetadata: true, tile: 512, engine: 1,
};

function entry(output: string, inputHash: string, extra: Partial<JournalEntry> = {}): JournalEntry {
  return {
    v: JOURNAL_VERSION, input: `/in/${output}`, inputHash, inputSize: 10, output, outputSize: 20,
    settingsHash: settingsHash(SETTINGS), settings: SETTINGS, finished: '2024-01-01T00:00:00Z', seconds: 1, ...extra,
  };
}

describe('journal', () => {
  it('ignores a cut last line and garbage; the last entry per output wins', () => {
    const lines = [entry('a.jpg', 'h1'), entry('b.jpg', 'h2'), entry('a.jpg', 'h3')].map((e) => JSON.stringify(e));
    const text = `${lines.join('\n')}\nnot json\n${lines[0].slice(0, 40)}`;
    const parsed = parseJournal(text);
    expect(parsed.map((e) => [e.output, e.inputHash])).toEqual([['b.jpg', 'h2'], ['a.jpg', 'h3']]);
  });

  it('settings hash: key order does not matter, every field does', () => {
    const reordered = Object.fromEntries(Object.entries(SETTINGS).reverse()) as unknown as BatchSettingsKey;
    expect(settingsHash(reordered)).toBe(settingsHash(SETTINGS));
    const changes: Partial<BatchSettingsKey>[] = [
      { model: 'n' }, { modelCreated: '2025' }, { modelHash: 'abd' }, { sigma: 25 }, { strength: 0.5 }, { format: 'png' },
      { quality: 80 }, { depth: 16 }, { keepMetadata: false }, { tile: 256 }, { task: 'inpaint' }, { maskHash: 'x' },
    ];
    const hashes = new Set(changes.map((c) => settingsHash({ ...SETTINGS, ...c })));
    expect(hashes.size).toBe(changes.length);
    expect(hashes.has(settingsHash(SETTINGS))).toBe(false);
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: undefined }] })).toBe('{"a":[1,{"d":2}],"b":1}');
  });

  it('appends after a cut line without merging it into the new entry, and matches on hash + settings', async () => {
    const dir = await mkdtemp(path.join(tmp, 'j-'));
    const cut = JSON.stringify(entry('a.jpg', 'h1')).slice(0, 30);
    await writeFile(path.join(dir, JOURNAL_NAME), `${JSON.stringify(entry('b.jpg', 'h2'))}\n${cut}`);
    const j = await Journal.load(dir);
    expect(j.byOutput.size).toBe(1);
    await j.begin();
    await j.append(entry('c.jpg', 'h4'));
    await j.close();
    const again = await Journal.load(dir);
    expect([...again.byOutput.keys()].sort()).toEqual(['b.jpg', 'c.jpg']);
    expect(again.match('c.jpg', 'h4', settingsHash(SETTINGS))).toBeDefined();
    expect(again.match('c.jpg', 'h5', settingsHash(SETTINGS))).toBeUndefined();
    expect(again.match('c.jpg', 'h4', settingsHash({ ...SETTINGS, strength: 0.9 }))).toBeUndefined();
    const text = await readFile(path.join(dir, JOURNAL_NAME), 'utf8');
    const parses = (l: string): boolean => {
      try {
        JSON.parse(l);
        return true;
      } catch {
        return false;
      }
    };
    expect(text.split('\n').filter(parses).map((l) => JSON.parse(l).output)).toEqual(['b.jpg', 'c.jpg']);
  });

  it('hashFile is the sha256 of the content', async () => {
    const f = path.join(tmp, 'h.bin');
    await writeFile(f, 'abc');
    expect(await hashFile(f)).toEqual({ hash: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', size: 3 });
  });
});

describe('BatchEta', () => {
  it('learns a per-file + per-pixel cost and predicts the rest within a few percent', () => {
    const rng = new Rng(5);
    // Small and medium images first, then big ones: a count-based ETA would be far too short.
    const pixels = Array.from({ length: 200 }, (_, i) => (i < 100 ? [1000, 4000][rng.int(2)] : 16000));
    const cost = (p: number): number => 0.01 + p * 2e-6; // fixed part is a third of a small image
    const eta = new BatchEta(pixels, 0);
    let t = 0.3; // warm-up in the first file
    for (let i = 0; i < 50; i++) {
      t += cost(pixels[i]) * (1 + 0.1 * (rng.next() - 0.5));
      eta.complete(pixels[i], t, true);
    }
    const truth = pixels.slice(50).reduce((s, p) => s + cost(p), 0);
    const guess = eta.secondsLeft(t)!;
    expect(Math.abs(guess - truth) / truth).toBeLessThan(0.05);
    const countBased = ((t - 0.3) / 50) * 150;
    expect(Math.abs(countBased - truth) / truth).toBeGreaterThan(0.3);
  });

  it('skipped files leave the remaining work without being fitted; 0 at the end', () => {
    const eta = new BatchEta([100, 100, 100, 100], 0);
    expect(eta.secondsLeft(0)).toBeUndefined();
    eta.complete(100, 0.001, false);
    expect(eta.secondsLeft(0.001)).toBeUndefined();
    eta.complete(100, 1.001, true);
    expect(eta.secondsLeft(1.001)).toBeCloseTo(2, 5);
    eta.complete(100, 2.001, true);
    eta.complete(100, 3.001, true);
    expect(eta.secondsLeft(3.001)).toBe(0);
  });
});
