import { describe, expect, it } from 'vitest';
import { baseName, formatCount, formatDb, formatDuration, formatEta, formatRate, percent } from '../../../src-renderer/lib/format.js';

describe('formatDuration', () => {
  it('reads naturally at every scale', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(59.6)).toBe('1 min 00 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3725)).toBe('1 h 02 min');
    expect(formatDuration(3 * 86400 + 7200)).toBe('3 d 2 h');
  });
  it('says nothing it does not know', () => {
    expect(formatDuration(undefined)).toBe('–');
    expect(formatDuration(Number.NaN)).toBe('–');
    expect(formatDuration(-3)).toBe('–');
    expect(formatDuration(Infinity)).toBe('–');
  });
});

describe('formatEta', () => {
  it('estimates, then counts down', () => {
    expect(formatEta(undefined)).toBe('estimating…');
    expect(formatEta(Infinity)).toBe('estimating…');
    expect(formatEta(2)).toBe('less than 5 s');
    expect(formatEta(125)).toBe('about 2 min 05 s');
  });
});

describe('numbers', () => {
  it('counts', () => {
    expect(formatCount(118083)).toBe('118 k');
    expect(formatCount(235440)).toBe('235 k');
    expect(formatCount(1234567)).toBe('1.23 M');
    expect(formatCount(950)).toBe('950');
    expect(formatCount(undefined)).toBe('–');
  });
  it('rates and decibels', () => {
    expect(formatRate(8.827)).toBe('8.83');
    expect(formatRate(123.4)).toBe('123');
    expect(formatRate(0.0123)).toBe('0.012');
    expect(formatDb(29.5524)).toBe('29.55 dB');
    expect(formatDb(Number.NaN)).toBe('–');
    expect(formatDb(undefined)).toBe('–');
    expect(formatDb(Infinity)).toBe('∞ dB');
  });
  it('percent is clamped', () => {
    expect(percent(5, 10)).toBe(50);
    expect(percent(12, 10)).toBe(100);
    expect(percent(1, 0)).toBe(0);
    expect(percent(-1, 10)).toBe(0);
  });
  it('baseName', () => {
    expect(baseName('/data/photos/2024/')).toBe('2024');
    expect(baseName('C:\\pics\\a.jpg')).toBe('a.jpg');
  });
});
