import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ModelDetails, ModelSummary } from '../../../src-main/shared/api.js';
import { archText, cardView, defaultTitle, modelNameError, modelsForTask, parseInline, parseMarkdown } from '../../../src-renderer/lib/state/model-card.js';

const summary = (over: Partial<ModelSummary> = {}): ModelSummary => ({
  id: 'color-denoise', name: 'Colour denoiser', description: '', task: 'denoise', channels: 3, source: 'shipped',
  isDefault: true, defaultFor: [3], arch: 'residual', ...over,
});

describe('cardView', () => {
  it('reads the shipped colour denoiser card', () => {
    const card = JSON.parse(readFileSync(new URL('../../../models/color-denoise/card.json', import.meta.url), 'utf8'));
    const v = cardView({ summary: summary(), card, markdown: '' });
    const facts = Object.fromEntries(v.facts.map((f) => [f.label, f.value]));
    expect(facts.Task).toBe('Denoise');
    expect(facts.Channels).toBe('Colour');
    expect(facts.Architecture).toMatch(/residual · width 40 · depth 10 · noise-map input/);
    expect(facts.Parameters).toBe('118 k');
    expect(facts['FLOPs per pixel']).toBe('235 k');
    const training = Object.fromEntries(v.training.map((f) => [f.label, f.value]));
    expect(training.Steps).toBe('2,900 steps × 16 patches of 40×40');
    expect(training['Training time']).toMatch(/^1 h 27 min, 8.8 patches\/s on WebAssembly/);
    expect(v.commands.length).toBe(4);
    expect(v.commands.every((c) => c.startsWith('mend train'))).toBe(true);
    expect(v.evalRows[1]).toMatchObject({ set: 'McMaster', condition: 'sigma 25', psnr: '29.55', gain: '+9.38' });
  });
  it('copes with an empty or damaged card', () => {
    const details = { summary: summary({ source: 'user' }), card: { params: 'many', eval: [null, 3, { set: 'x' }], training: 'no' }, markdown: '' } as unknown as ModelDetails;
    const v = cardView(details);
    expect(v.facts.find((f) => f.label === 'Parameters')).toBeUndefined();
    expect(v.training).toEqual([]);
    expect(v.evalRows).toHaveLength(1);
    expect(archText(undefined, 'unet')).toBe('unet');
  });
});

describe('parseMarkdown', () => {
  it('reads a card.md into blocks', () => {
    const md = readFileSync(new URL('../../../models/color-inpaint/card.md', import.meta.url), 'utf8');
    const blocks = parseMarkdown(md);
    expect(blocks[0]).toMatchObject({ kind: 'heading', level: 1 });
    const kinds = blocks.map((b) => b.kind);
    expect(kinds).toContain('table');
    expect(kinds).toContain('code');
    const evalTable = blocks.filter((b) => b.kind === 'table').pop();
    expect(evalTable && evalTable.kind === 'table' && evalTable.rows.length).toBe(3);
  });
  it('keeps markup as text (no HTML)', () => {
    const blocks = parseMarkdown('<img src=x onerror=alert(1)> and `code` **bold**\n\n- a\n- b');
    expect(blocks[0]).toEqual({ kind: 'paragraph', inline: [{ text: '<img src=x onerror=alert(1)> and ' }, { text: 'code', code: true }, { text: ' ' }, { text: 'bold', strong: true }] });
    expect(blocks[1]).toEqual({ kind: 'list', items: [[{ text: 'a' }], [{ text: 'b' }]] });
    expect(parseInline('')).toEqual([]);
  });
});

describe('names and pickers', () => {
  it('checks names', () => {
    expect(modelNameError('  ')).toMatch(/empty/);
    expect(modelNameError('...')).toMatch(/letter/);
    expect(modelNameError('Portraits v2')).toBeUndefined();
  });
  it('filters by task and puts the default first', () => {
    const list = [
      summary({ id: 'u', name: 'Aaa mine', source: 'user', isDefault: false }),
      summary({ id: 'g', name: 'Grey', channels: 1 }),
      summary({ id: 'c' }),
      summary({ id: 'i', task: 'inpaint' }),
    ];
    expect(modelsForTask(list, 'denoise').map((m) => m.id)).toEqual(['c', 'g', 'u']);
    // A grey denoiser fits a colour photo (through its luminance); a colour one never a grey photo.
    expect(modelsForTask(list, 'denoise', 3).map((m) => m.id)).toEqual(['c', 'g', 'u']);
    expect(modelsForTask(list, 'denoise', 1).map((m) => m.id)).toEqual(['g']);
    expect(modelsForTask(list, 'inpaint').map((m) => m.id)).toEqual(['i']);
  });
});

describe('defaultTitle', () => {
  it('names the kinds of photo a default serves', () => {
    expect(defaultTitle({ defaultFor: [3, 1] })).toBe('Used by default for grey and colour photos');
    expect(defaultTitle({ defaultFor: [3] })).toBe('Used by default for colour photos');
  });
});
