// Issue 21's pure pieces of the Edit page: a result's settings shown and put back into the
// panel, Export's default format, and the shortcut table's key look-up.
import { describe, expect, it } from 'vitest';
import { restoreSettings, settingLines } from '../../../src-renderer/lib/state/version-settings.js';
import { exportDefaults } from '../../../src-renderer/lib/state/export-defaults.js';
import { commandFor, comboOf, SHORTCUTS } from '../../../src-renderer/lib/state/shortcuts.js';

describe('a result\'s settings', () => {
  const names = (id: string) => ({ 'gray-unet': 'Standard denoiser' })[id] ?? id;

  it('are listed model first, in words, and unset fields left out', () => {
    expect(settingLines({ sigma: 'auto', passes: 2, model: 'gray-unet', detail: undefined }, names).map((l) => `${l.label}: ${l.value}`))
      .toEqual(['Model: Standard denoiser', 'Noise level: automatic', 'Passes: 2']);
    // A field the request gains later shows up without code for it.
    expect(settingLines({ amount: 60 }, names)).toEqual([{ key: 'amount', label: 'Amount', value: '60' }]);
  });

  it('go back into the form: fields of the same name and type, sigma as mode and level', () => {
    const form: Record<string, unknown> = { sigmaMode: 'auto', manualSigma: 25, passes: 1, amount: 50, panels: {} };
    expect(restoreSettings({ model: 'x', sigma: 12, passes: 4, amount: 80, panels: 'no' }, form).sort()).toEqual(['amount', 'manualSigma', 'passes', 'sigmaMode']);
    expect(form).toEqual({ sigmaMode: 'manual', manualSigma: 12, passes: 4, amount: 80, panels: {} });
    expect(restoreSettings({ sigma: 'auto' }, form)).toEqual(['sigmaMode']);
    expect(form.manualSigma).toBe(12);
    expect(restoreSettings(undefined, form)).toEqual([]);
    // An Amount set by hand goes with sigma 'auto' (the engine keeps the estimate's shape): manual.
    expect(restoreSettings({ sigma: 'auto', amount: 30 }, form).sort()).toEqual(['amount', 'sigmaMode']);
    expect(form.sigmaMode).toBe('manual');
  });
});

describe('Export defaults', () => {
  it('keep the input file\'s format and bit depth', () => {
    expect(exportDefaults({ format: 'png', bitDepth: 8 })).toEqual({ format: 'png', depth: 8 });
    expect(exportDefaults({ format: 'png', bitDepth: 16 })).toEqual({ format: 'png', depth: 16 });
    expect(exportDefaults({ format: 'tiff', bitDepth: 16 })).toEqual({ format: 'tiff', depth: 16 });
    expect(exportDefaults({ format: 'jpeg', bitDepth: 8 })).toEqual({ format: 'jpeg', depth: 8 });
    expect(exportDefaults({ format: 'webp', bitDepth: 8 })).toEqual({ format: 'webp', depth: 8 });
  });

  it('fall back to 16-bit TIFF for deep inputs the exporter cannot write, else JPEG', () => {
    expect(exportDefaults({ format: 'heif', bitDepth: 8 })).toEqual({ format: 'jpeg', depth: 8 });
    expect(exportDefaults({ format: 'dng', bitDepth: 16 })).toEqual({ format: 'tiff', depth: 16 });
  });

  it('are a linear DNG for a camera RAW photo the engine opened (issue 24)', () => {
    expect(exportDefaults({ format: 'cr2', bitDepth: 16, raw: true })).toEqual({ format: 'dng', depth: 16 });
  });
});

describe('the shortcut table', () => {
  it('finds the command of a key press, modifiers included', () => {
    expect(commandFor({ key: 'd', ctrlKey: true })).toBe('denoise');
    expect(commandFor({ key: 'd', metaKey: true })).toBe('denoise');
    expect(commandFor({ key: 'i', ctrlKey: true })).toBe('inpaint');
    expect(commandFor({ key: 's', ctrlKey: true })).toBe('export');
    expect(commandFor({ key: '0', ctrlKey: true })).toBe('fit');
    expect(commandFor({ key: 'y', ctrlKey: true })).toBe('redo');
    expect(commandFor({ key: 'Z', ctrlKey: true, shiftKey: true })).toBe('redo');
    expect(commandFor({ key: 'z', ctrlKey: true })).toBe('undo');
    expect(commandFor({ key: 'y' })).toBe('next-compare');
    expect(commandFor({ key: 'F', shiftKey: true })).toBe('fit');
    expect(commandFor({ key: '{', shiftKey: true })).toBe('brush-softer');
    expect(commandFor({ key: '?', shiftKey: true })).toBe('help');
    expect(commandFor({ key: ' ' })).toBe('pan');
    expect(commandFor({ key: 'ArrowLeft', shiftKey: true })).toBeUndefined();
    expect(commandFor({ key: 'd', altKey: true })).toBeUndefined();
    expect(comboOf({ key: 'ArrowLeft', ctrlKey: true, shiftKey: true })).toBe('ctrl+shift+arrowleft');
  });

  it('gives every press one command, and lists every press under an action of the overlay', () => {
    const items = SHORTCUTS.flatMap((g) => g.items);
    const presses = items.flatMap((s) => (s.run ?? []).flatMap((r) => r.press));
    expect(new Set(presses).size).toBe(presses.length);
    for (const s of items) if (s.run) expect(s.action.length).toBeGreaterThan(3);
    expect(presses).toEqual(expect.arrayContaining(['ctrl+0', 'ctrl+y', 'ctrl+d', 'ctrl+i', 'ctrl+s']));
  });
});
