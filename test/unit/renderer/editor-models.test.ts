// Which models the editor offers for a photo, and which it preselects.
import { describe, expect, it } from 'vitest';
import type { ModelSummary } from '../../../src-main/shared/api.js';
import { modelLine, pickModel } from '../../../src-renderer/lib/components/editor/models.js';
import { modelsForTask } from '../../../src-renderer/lib/state/model-card.js';

const summary = (over: Partial<ModelSummary>): ModelSummary => ({
  id: 'x', name: 'X', description: '', task: 'denoise', channels: 3, source: 'shipped', isDefault: false, defaultFor: [], arch: 'residual', ...over,
});

const models = [
  summary({ id: 'grey', channels: 1, isDefault: true, defaultFor: [1, 3] }),
  summary({ id: 'colour' }),
  summary({ id: 'fill', task: 'inpaint', isDefault: true, defaultFor: [3] }),
  summary({ id: 'grey-fill', task: 'inpaint', channels: 1 }),
];

describe('modelsForTask for a photo', () => {
  it('offers grey denoisers for colour photos (luminance route) but never colour models for grey ones', () => {
    expect(modelsForTask(models, 'denoise', 3).map((m) => m.id)).toEqual(['grey', 'colour']);
    expect(modelsForTask(models, 'denoise', 1).map((m) => m.id)).toEqual(['grey']);
  });

  it('offers colour inpainters for grey photos (grey copied to RGB), never grey inpainters for colour ones', () => {
    expect(modelsForTask(models, 'inpaint', 3).map((m) => m.id)).toEqual(['fill']);
    expect(modelsForTask(models, 'inpaint', 1).map((m) => m.id)).toEqual(['fill', 'grey-fill']);
    // Without a grey inpainter (the shipped models), a grey photo still has one to use.
    expect(modelsForTask(models.filter((m) => m.id !== 'grey-fill'), 'inpaint', 1).map((m) => m.id)).toEqual(['fill']);
  });
});

describe('pickModel', () => {
  it('prefers the remembered model, then the default for the photo\'s channel count', () => {
    const colourList = modelsForTask(models, 'denoise', 3);
    expect(pickModel(colourList, 'colour', 3)?.id).toBe('colour');
    expect(pickModel(colourList, 'gone', 3)?.id).toBe('grey');
    const onlyColour = [summary({ id: 'a' }), summary({ id: 'b', defaultFor: [3] })];
    expect(pickModel(onlyColour, '', 3)?.id).toBe('b');
    expect(pickModel(onlyColour, '', 1)?.id).toBe('a');
  });
});

describe('modelLine', () => {
  it('says how a grey denoiser treats a colour photo, and leaves benchmark scores out', () => {
    const grey = summary({ channels: 1, description: 'Grey model', headline: 'Set12 sigma 25: 29.23 dB' });
    expect(modelLine(grey, 3)).toMatch(/^On this colour photo: brightness through the network.*Grey model$/);
    expect(modelLine(grey, 1)).toBe('Grey model');
    expect(modelLine(summary({ description: 'Colour model' }), 3)).toBe('Colour model');
    expect(modelLine(summary({ task: 'inpaint', description: 'Fill' }), 1)).toMatch(/^On this grey photo: .*stays grey\. Fill$/);
  });

  it('says a camera RAW photo is denoised before demosaicing, a grey model on each colour plane', () => {
    const grey = summary({ channels: 1, description: 'Grey model' });
    expect(modelLine(grey, 1, true)).toBe('RAW: denoised before demosaicing, a grey model on each colour plane. Grey model');
  });
});
