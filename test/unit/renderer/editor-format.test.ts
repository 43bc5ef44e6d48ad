import { describe, expect, it } from 'vitest';
import { formatDb, formatGain, formatSsim, formatZoom, progressFraction } from '../../../src-renderer/lib/format.js';
import { exportFileName, isImageFile, pastedName, stemOf, withExtension } from '../../../src-renderer/lib/canvas/files.js';
import { isTypingTarget, SHORTCUTS } from '../../../src-renderer/lib/state/shortcuts.js';

describe('editor formatting', () => {
  it('progress fraction is clamped', () => {
    expect(progressFraction(5, 0)).toBe(0);
    expect(progressFraction(15, 10)).toBe(1);
    expect(progressFraction(3, 12)).toBe(0.25);
  });

  it('numbers', () => {
    expect(formatZoom(1)).toBe('100%');
    expect(formatZoom(1 / 3)).toBe('33%');
    expect(formatZoom(0.0625)).toBe('6.3%');
    expect(formatDb(31.456)).toBe('31.46 dB');
    expect(formatDb(Infinity)).toBe('∞ dB');
    expect(formatGain(3.214)).toBe('+3.21 dB');
    expect(formatGain(-0.4)).toBe('−0.40 dB');
    expect(formatGain(0.001)).toBe('±0.00 dB');
    expect(formatSsim(0.91234)).toBe('0.9123');
  });
});

describe('editor file names', () => {
  it('recognises images by type or extension', () => {
    expect(isImageFile({ name: 'a.JPG' })).toBe(true);
    expect(isImageFile({ name: 'scan.tiff', type: '' })).toBe(true);
    expect(isImageFile({ name: 'blob', type: 'image/png' })).toBe(true);
    expect(isImageFile({ name: 'notes.txt', type: 'text/plain' })).toBe(false);
    expect(isImageFile({ name: '.DS_Store' })).toBe(false);
  });

  it('export names never equal the original', () => {
    expect(exportFileName('IMG_0001.JPG', 'jpeg')).toBe('IMG_0001.mend.jpg');
    expect(exportFileName('scan.tif', 'png')).toBe('scan.mend.png');
    expect(exportFileName('x.mend.jpg', 'jpeg')).toBe('x.mend.jpg');
    expect(exportFileName('photo', 'tiff')).toBe('photo.mend.tif');
    expect(stemOf('a/b/c.d.e.png')).toBe('c.d.e');
  });

  it('withExtension fixes the extension to the format', () => {
    expect(withExtension('a.mend.jpg', 'png')).toBe('a.mend.png');
    expect(withExtension('a.mend', 'png')).toBe('a.mend.png');
    expect(withExtension('a.jpeg', 'jpeg')).toBe('a.jpeg');
    expect(withExtension('  ', 'webp')).toBe('image.mend.webp');
  });

  it('pasted names are dated', () => {
    expect(pastedName(new Date(2026, 2, 4, 10, 15, 2), 'image/png')).toBe('pasted-2026-03-04-101502.png');
  });
});

describe('shortcuts', () => {
  it('text fields swallow keys, sliders do not', () => {
    const fake = (tagName: string, type = '') => ({ tagName, type, isContentEditable: false, closest: () => null });
    expect(isTypingTarget(fake('INPUT', 'text') as unknown as EventTarget)).toBe(true);
    expect(isTypingTarget(fake('INPUT', 'range') as unknown as EventTarget)).toBe(false);
    expect(isTypingTarget(fake('DIV') as unknown as EventTarget)).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
  it('every group lists something', () => {
    for (const g of SHORTCUTS) expect(g.items.length).toBeGreaterThan(0);
  });
});
