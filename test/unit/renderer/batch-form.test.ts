import { describe, expect, it } from 'vitest';
import type { BatchResult } from '../../../src-main/shared/api.js';
import {
  DEFAULT_BATCH_FORM, batchSummary, buildBatchSpec, finishBatchRun, newBatchRun, reduceBatchEvent, restoreBatchForm,
  type BatchForm,
} from '../../../src-renderer/lib/state/batch-form.js';

const form = (over: Partial<BatchForm> = {}): BatchForm => ({ ...DEFAULT_BATCH_FORM, ...over });

describe('buildBatchSpec', () => {
  it('maps a denoise batch over workspace images and folders', () => {
    const r = buildBatchSpec(form({ folders: ['/data/in'], recursive: true, amountMode: 'manual', amount: 40, detail: 25, strength: 0.7, passes: 4, format: 'jpeg', quality: 85 }), { images: ['a', 'b'] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.spec).toEqual({
      type: 'batch', task: 'denoise', images: ['a', 'b'], paths: ['/data/in'], recursive: true,
      sigma: 'auto', amount: 40, detail: 25, strength: 0.7, passes: 4, format: 'jpeg', quality: 85, keepMetadata: true, skipExisting: false,
    });
  });
  it('auto Amount and no Detail send neither (the engine reads each photo), same format, output folder, 16 bits to PNG', () => {
    const r = buildBatchSpec(form({ outMode: 'folder', outDir: ' /data/out ', format: 'png', depth: 16, model: 'm1' }), { images: ['a'] });
    expect(r.ok && r.spec).toMatchObject({ sigma: 'auto', outDir: '/data/out', format: 'png', depth: 16, model: 'm1' });
    expect(r.ok && ('quality' in r.spec || 'passes' in r.spec)).toBe(false); // one pass: the engine's default
    expect(r.ok && ('amount' in r.spec || 'detail' in r.spec)).toBe(false);
  });
  it('inpaint takes the mask and no denoise settings', () => {
    const r = buildBatchSpec(form({ task: 'inpaint' }), { images: ['a'], mask: 'm' });
    expect(r.ok && r.spec).toMatchObject({ task: 'inpaint', mask: 'm' });
    expect(r.ok && ['sigma', 'amount', 'detail', 'strength'].some((k) => k in r.spec)).toBe(false);
  });
  it('refuses bad values with a message naming the fix', () => {
    const cases: [Partial<BatchForm>, { images: string[]; mask?: string }, string, RegExp][] = [
      [{}, { images: [] }, 'inputs', /at least one/],
      [{ outMode: 'folder', outDir: '  ' }, { images: ['a'] }, 'outDir', /output folder/],
      [{ strength: 1.5 }, { images: ['a'] }, 'strength', /between/],
      [{ amountMode: 'manual', amount: -1 }, { images: ['a'] }, 'amount', /0 to 100/],
      [{ amountMode: 'manual', amount: Number.NaN }, { images: ['a'] }, 'amount', /0 to 100/],
      [{ amountMode: 'manual', amount: 101 }, { images: ['a'] }, 'amount', /0 to 100/],
      [{ detail: 120 }, { images: ['a'] }, 'detail', /0 to 100/],
      [{ format: 'jpeg', quality: 0 }, { images: ['a'] }, 'quality', /1 to 100/],
      [{ format: 'webp', quality: 50.5 }, { images: ['a'] }, 'quality', /whole number/],
      [{ format: 'jpeg', depth: 16 }, { images: ['a'] }, 'depth', /PNG or TIFF/],
      [{ task: 'inpaint' }, { images: ['a'] }, 'mask', /mask/],
    ];
    for (const [over, inputs, field, re] of cases) {
      const r = buildBatchSpec(form(over), inputs);
      expect(r.ok, JSON.stringify(over)).toBe(false);
      if (r.ok) continue;
      expect(Object.keys(r.errors)).toContain(field);
      expect(r.errors[field as keyof typeof r.errors]).toMatch(re);
      expect(r.message.length).toBeGreaterThan(10);
    }
  });
  it('ignores quality for lossless formats and Amount when auto', () => {
    expect(buildBatchSpec(form({ format: 'png', quality: -4, amount: -1 }), { images: ['a'] }).ok).toBe(true);
  });
});

describe('restoreBatchForm', () => {
  it('carries a sigma saved before Amount over as the same level, and keeps Amount and Detail', () => {
    expect(restoreBatchForm({ sigmaMode: 'manual', sigma: 13.75 })).toMatchObject({ amountMode: 'manual', amount: 50 });
    expect(restoreBatchForm({ amountMode: 'manual', amount: 30, detail: 40 })).toMatchObject({ amountMode: 'manual', amount: 30, detail: 40 });
    expect(restoreBatchForm({ amount: 130, detail: -5 })).toMatchObject({ amount: 50, detail: 0 });
  });
  it('falls back field by field on damaged settings', () => {
    const f = restoreBatchForm({ task: 'inpaint', quality: 'high', format: 'gif', folders: ['/a', 3, ''], strength: 2, depth: 16, passes: 3 });
    expect(f.passes).toBe(1);
    expect(restoreBatchForm({ passes: 8 }).passes).toBe(8);
    expect(f.task).toBe('inpaint');
    expect(f.quality).toBe(DEFAULT_BATCH_FORM.quality);
    expect(f.format).toBe('same');
    expect(f.folders).toEqual(['/a']);
    expect(f.strength).toBe(1);
    expect(f.depth).toBe(16);
    expect(restoreBatchForm(null)).toEqual(DEFAULT_BATCH_FORM);
    expect(restoreBatchForm([1, 2])).toEqual(DEFAULT_BATCH_FORM);
  });
});

describe('batch run events', () => {
  it('counts progress, files, pause and the result', () => {
    let r = newBatchRun(0);
    r = reduceBatchEvent(r, { type: 'progress', stage: 'plan', done: 0, total: 0, detail: 'Finding images' });
    expect(r.phase).toBe('running');
    r = reduceBatchEvent(r, { type: 'progress', stage: 'batch', done: 1, total: 4, etaSeconds: 30, detail: 'b.jpg' });
    expect([r.done, r.total, r.current, r.etaSeconds]).toEqual([1, 4, 'b.jpg', 30]);
    r = reduceBatchEvent(r, { type: 'file', input: 'a.jpg', output: 'a.jpg', status: 'done' });
    r = reduceBatchEvent(r, { type: 'file', input: 'c.txt', status: 'failed', reason: 'not an image' });
    r = reduceBatchEvent(r, { type: 'file', input: 'd.jpg', status: 'skipped' });
    expect(r.outputs).toEqual(['a.jpg']);
    expect(r.failures).toEqual([{ input: 'c.txt', reason: 'not an image' }]);
    expect([r.failed, r.skipped]).toEqual([1, 1]);
    // The core's own counts (in metrics) agree and do not double-count.
    r = reduceBatchEvent(r, { type: 'progress', stage: 'batch', done: 3, total: 4, metrics: { filesDone: 3, filesTotal: 4, failed: 1, skipped: 1 } });
    expect([r.done, r.failed, r.skipped]).toEqual([3, 1, 1]);
    // A file finished before its progress event still counts.
    r = reduceBatchEvent(r, { type: 'file', input: 'e.jpg', output: 'e.jpg', status: 'done' });
    expect(r.done).toBe(4);
    r = reduceBatchEvent(r, { type: 'paused' });
    expect(r.phase).toBe('paused');
    r = reduceBatchEvent(r, { type: 'resumed' });
    expect(r.phase).toBe('running');
    const result: BatchResult = {
      type: 'batch', status: 'completed', outDir: 'w1', total: 4, done: 2, skipped: 1, failed: 1,
      failures: [{ input: 'c.txt', reason: 'not an image' }], outputs: ['a.jpg', 'e.jpg'], seconds: 65,
    };
    r = finishBatchRun(r, result);
    expect([r.phase, r.done, r.total, r.outputs.length, r.outDir]).toEqual(['completed', 4, 4, 2, 'w1']);
    expect(r.done).toBeLessThanOrEqual(r.total);
    expect(batchSummary(result)).toBe('Finished: 2 written, 1 skipped, 1 failed of 4 images in 1 min 05 s.');
  });
  it('a cancelled summary counts what was not reached', () => {
    const s = batchSummary({ type: 'batch', status: 'cancelled', outDir: 'o', total: 10, done: 3, skipped: 0, failed: 0, failures: [], outputs: [], seconds: 4 });
    expect(s).toBe('Cancelled: 3 written, 0 failed, 7 not reached of 10 images in 4 s.');
  });
});
