import { describe, expect, it } from 'vitest';
import type { ImageInfo } from '../../../src-main/shared/api.js';
import {
  DEFAULT_TRAIN_FORM, VARIANTS, appendPoint, buildTrainSpec, finishTrainRun, newTrainRun, noiseSpec, reduceTrainEvent,
  restoreTrainForm, sampleLayout, stepsPerSecond, trainTask, variantUsesLambda, type TrainForm,
} from '../../../src-renderer/lib/state/train-form.js';

const form = (over: Partial<TrainForm> = {}): TrainForm => ({ ...DEFAULT_TRAIN_FORM, folder: '/data/train', name: 'My model', ...over });

describe('buildTrainSpec', () => {
  it('maps a denoising run on a folder', () => {
    const r = buildTrainSpec(form({ patch: 32, steps: 50, batch: 4, channels: 1 }), { images: [] });
    expect(r.ok && r.spec).toEqual({
      type: 'train', name: 'My model', arch: 'residual', variant: 'denoising', channels: 1, patch: 32, steps: 50, batch: 4,
      paths: ['/data/train'], noise: 'gaussian:0-55',
    });
  });
  it('sparse and contractive variants carry lambda and no noise; others no lambda', () => {
    for (const v of VARIANTS) {
      const r = buildTrainSpec(form({ arch: 'autoencoder', variant: v.id, lambda: 0.01 }), { images: [] });
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect('lambda' in r.spec).toBe(variantUsesLambda(v.id));
      expect('noise' in r.spec).toBe(v.id === 'denoising');
    }
  });
  it('workspace images and resume', () => {
    const r = buildTrainSpec(form({ source: 'images', folder: '' }), { images: ['i1', 'i2'], resume: true });
    expect(r.ok && r.spec).toMatchObject({ images: ['i1', 'i2'], resume: true });
    expect(r.ok && 'paths' in r.spec).toBe(false);
  });
  it('refuses an invalid patch size with a message', () => {
    for (const patch of [30, 33.5, 8, 1024, Number.NaN]) {
      const r = buildTrainSpec(form({ patch }), { images: [] });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors.patch).toMatch(/Patch size/);
    }
    const r = buildTrainSpec(form({ patch: 30 }), { images: [] });
    expect(!r.ok && r.errors.patch).toMatch(/multiple of 8.*try 32/);
  });
  it('refuses other bad values', () => {
    const bad: [Partial<TrainForm>, string][] = [
      [{ name: '   ' }, 'name'],
      [{ name: '---' }, 'name'],
      [{ name: 'x'.repeat(61) }, 'name'],
      [{ folder: '' }, 'data'],
      [{ steps: 0 }, 'steps'],
      [{ steps: 10.5 }, 'steps'],
      [{ batch: 0 }, 'batch'],
      [{ batch: 1000 }, 'batch'],
      [{ variant: 'sparse-l1', lambda: -1 }, 'lambda'],
      [{ variant: 'contractive', lambda: Number.NaN }, 'lambda'],
      [{ sigmaMin: 30, sigmaMax: 10 }, 'noise'],
      [{ sigmaMax: 300 }, 'noise'],
      [{ noise: 'salt-pepper', spMin: 0, spMax: 0 }, 'noise'],
      [{ noise: 'salt-pepper', spMax: 1.5 }, 'noise'],
      [{ noise: 'poisson-gaussian', pgAMin: -0.1 }, 'noise'],
    ];
    for (const [over, field] of bad) {
      const r = buildTrainSpec(form(over), { images: [] });
      expect(r.ok, JSON.stringify(over)).toBe(false);
      if (!r.ok) {
        expect(Object.keys(r.errors), JSON.stringify(over)).toContain(field);
        expect(r.message).toBe(Object.values(r.errors)[0]);
      }
    }
    expect(buildTrainSpec(form({ source: 'images' }), { images: [] }).ok).toBe(false);
  });
  it('does not check fields the variant does not use', () => {
    expect(buildTrainSpec(form({ variant: 'undercomplete', lambda: -5, sigmaMin: 99, sigmaMax: 1 }), { images: [] }).ok).toBe(true);
  });
});

describe('noiseSpec and task', () => {
  it('writes what mend train --noise reads', () => {
    expect(noiseSpec(form({ sigmaMin: 25, sigmaMax: 25 }))).toBe('gaussian:25');
    expect(noiseSpec(form({ noise: 'poisson-gaussian', pgAMin: 0.01, pgAMax: 0.01, pgBMin: 0, pgBMax: 0.0004 }))).toBe('poisson-gaussian:0.01,0-0.0004');
    expect(noiseSpec(form({ noise: 'salt-pepper', spMin: 0.01, spMax: 0.1 }))).toBe('salt-pepper:0.01-0.1');
    expect(noiseSpec(form({ noise: 'poisson-gaussian', pgAMin: 1e-7, pgAMax: 1e-7, pgBMin: 0, pgBMax: 0 }))).toBe('poisson-gaussian:1e-7,0');
    expect(noiseSpec(form({ noise: 'damage' }))).toBe('damage');
  });
  it('task follows variant and corruption', () => {
    expect(trainTask({ variant: 'denoising', noise: 'gaussian' })).toBe('denoise');
    expect(trainTask({ variant: 'denoising', noise: 'damage' })).toBe('inpaint');
    expect(trainTask({ variant: 'sparse-kl', noise: 'gaussian' })).toBe('reconstruct');
  });
});

describe('restoreTrainForm', () => {
  it('keeps good saved values and drops bad ones', () => {
    const f = restoreTrainForm({ arch: 'unet', variant: 'bogus', channels: 2, patch: 48, steps: 'many', name: 'x' });
    expect([f.arch, f.variant, f.channels, f.patch, f.steps, f.name]).toEqual(['unet', 'denoising', 3, 48, 2000, 'x']);
    expect(restoreTrainForm(undefined)).toEqual(DEFAULT_TRAIN_FORM);
  });
});

describe('training events', () => {
  it('builds the loss and validation series', () => {
    let r = newTrainRun({ name: 'm', steps: 100, batch: 8 }, undefined, 0);
    r = reduceTrainEvent(r, { type: 'progress', stage: 'load', done: 2, total: 5 });
    expect(r.status).toMatch(/2\/5/);
    for (let s = 1; s <= 10; s++) {
      r = reduceTrainEvent(r, {
        type: 'progress', stage: 'train', done: s, total: 100, etaSeconds: 90,
        metrics: { step: s, loss: 0.1 / s, valPsnr: s < 5 ? 20 : 22, patchesPerSecond: 16 },
      });
    }
    expect(r.step).toBe(10);
    expect(r.loss.length).toBe(10);
    // Repeated validation values are one point each time the value changes.
    expect(r.val.map((p) => p.y)).toEqual([20, 22]);
    expect(stepsPerSecond(r)).toBe(2);
    r = reduceTrainEvent(r, { type: 'samples', step: 10, images: [] });
    expect(r.samples?.step).toBe(10);
    r = finishTrainRun(r, { type: 'train', model: {} as never, steps: 10, valPsnr: 22.5, wallSeconds: 5, patchesPerSecond: 16, cancelled: true });
    expect(r.phase).toBe('cancelled');
    // Resuming the same model keeps the curves.
    const resumed = newTrainRun({ name: 'm', steps: 200, batch: 8 }, r, 1);
    expect(resumed.loss.length).toBe(10);
    expect(newTrainRun({ name: 'other', steps: 200 }, r).loss.length).toBe(0);
  });
  it('appendPoint replaces repeated steps and caps the series', () => {
    let s = [{ x: 1, y: 1 }, { x: 2, y: 2 }, { x: 3, y: 3 }];
    s = appendPoint(s, { x: 2, y: 5 });
    expect(s).toEqual([{ x: 1, y: 1 }, { x: 2, y: 5 }]);
    let long: { x: number; y: number }[] = [];
    for (let i = 0; i < 1000; i++) long = appendPoint(long, { x: i, y: i }, 100);
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long[long.length - 1].x).toBe(999);
    expect(appendPoint(long, { x: 1000, y: Number.NaN })).toBe(long);
  });
  it('samples: one montage of clean | corrupted | output rows, or triples', () => {
    const img = (id: string, width = 8, height = 8): ImageInfo => ({ id, name: id, role: 'sample', width, height, channels: 3, bitDepth: 8, format: 'png', hasAlpha: false });
    expect(sampleLayout([img('m', 96, 96)])).toEqual({ kind: 'montage', image: img('m', 96, 96), patches: 3 });
    const t = sampleLayout(['a', 'b', 'c', 'd', 'e', 'f'].map((i) => img(i)));
    expect(t?.kind === 'triples' && t.rows.map((r) => r.map((i) => i.id))).toEqual([['a', 'b', 'c'], ['d', 'e', 'f']]);
    expect(sampleLayout([img('x', 50, 20)])?.kind).toBe('triples');
    expect(sampleLayout([])).toBeUndefined();
  });
});
