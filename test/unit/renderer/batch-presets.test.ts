// Batch presets on the Batch page: the form's settings become a preset the engine accepts (its
// schema), and applying it restores them while the inputs and output stay; batch file events
// carry before/after thumbnails that the run keeps through the end of the batch.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { BatchResult } from '../../../src-main/shared/api.js';
import { BatchPresetSchema } from '../../../src-main/shared/schema/presets.js';
import {
  DEFAULT_BATCH_FORM, applyPreset, finishBatchRun, newBatchRun, presetFromForm, presetSummary, reduceBatchEvent, type BatchForm,
} from '../../../src-renderer/lib/state/batch-form.js';

const form = (over: Partial<BatchForm> = {}): BatchForm => ({ ...DEFAULT_BATCH_FORM, ...over });

describe('batch presets from the form', () => {
  it('round-trips the processing settings and keeps inputs and output', () => {
    const mine = form({ task: 'denoise', model: 'gray-unet', amountMode: 'manual', amount: 35, detail: 20, strength: 0.6, passes: 4, format: 'png', depth: 16, keepMetadata: false, skipExisting: true });
    const p = presetFromForm('  Night scans ', mine);
    expect(v.is(BatchPresetSchema, p)).toBe(true);
    expect(p).toEqual({ name: 'Night scans', task: 'denoise', model: 'gray-unet', amount: 35, detail: 20, strength: 0.6, passes: 4, format: 'png', depth: 16, keepMetadata: false, skipExisting: true });
    expect(presetSummary(p)).toBe('Denoise · gray-unet · amount 35 · detail 20 · 60 % · 4 passes · PNG 16-bit');
    const other = form({ folders: ['/in'], outMode: 'folder', outDir: '/out', format: 'jpeg', quality: 70 });
    const applied = applyPreset(other, p);
    expect(applied).toEqual({ ...mine, folders: ['/in'], outMode: 'folder', outDir: '/out' });
  });

  it('an inpaint preset has no denoise settings, and what a preset leaves out returns to the default', () => {
    const p = presetFromForm('Dust', form({ task: 'inpaint', amountMode: 'manual', amount: 50, detail: 30, format: 'jpeg', quality: 80 }));
    expect(p).toEqual({ name: 'Dust', task: 'inpaint', format: 'jpeg', quality: 80, keepMetadata: true, skipExisting: false });
    expect(applyPreset(form({ model: 'x', depth: 8 }), { name: 'Bare', task: 'denoise' })).toMatchObject({ model: '', depth: 'same', format: 'same', amountMode: 'auto', detail: 0, passes: 1 });
  });

  it('a preset saved with a sigma (mend batch --sigma N --save-preset) shows as that Amount', () => {
    const p = { name: 'Script', task: 'denoise' as const, sigma: 13.75 };
    expect(applyPreset(form(), p)).toMatchObject({ amountMode: 'manual', amount: 50 });
    expect(presetSummary(p)).toBe('Denoise · sigma 13.75 · same format');
    expect(presetSummary({ name: 'Auto', task: 'denoise', sigma: 'auto' })).toBe('Denoise · amount auto · same format');
  });

  it('refuses Amount and Detail outside 0-100', () => {
    expect(v.is(BatchPresetSchema, { name: 'ok', task: 'denoise', amount: 101 })).toBe(false);
    expect(v.is(BatchPresetSchema, { name: 'ok', task: 'denoise', detail: -1 })).toBe(false);
    expect(v.is(BatchPresetSchema, { name: 'ok', task: 'denoise', amount: 100, detail: 0 })).toBe(true);
  });

  it('refuses names without a letter or digit', () => {
    expect(v.is(BatchPresetSchema, { name: '---', task: 'denoise' })).toBe(false);
    expect(v.is(BatchPresetSchema, { name: 'ok', task: 'denoise', extra: 1 })).toBe(false);
  });
});

describe('batch thumbnails', () => {
  it('keeps each output\'s before/after through the end of the run', () => {
    let run = newBatchRun(0);
    run = reduceBatchEvent(run, { type: 'file', input: 'a.png', output: 'a.png', status: 'done', thumbs: { before: 'data:b', after: 'data:a' } });
    run = reduceBatchEvent(run, { type: 'file', input: 'b.png', output: 'b.png', status: 'done' });
    const result: BatchResult = { type: 'batch', status: 'completed', outDir: 'workspace:x', total: 2, done: 2, skipped: 0, failed: 0, failures: [], outputs: ['a.png', 'b.png'], seconds: 1 };
    const done = finishBatchRun(run, result);
    expect(done.thumbs).toEqual({ 'a.png': { before: 'data:b', after: 'data:a' } });
    expect(done.outputs).toEqual(['a.png', 'b.png']);
  });
});
