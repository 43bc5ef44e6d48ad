// Option numbers are plain decimals (issue 20, defect 10): Number() read '' and ' ' as 0 and
// '0x1f' as 31, so `--sigma ""` denoised with sigma 0 and `--sigma 0x1f` with 31.
import { describe, expect, it } from 'vitest';
import { num } from '../../../src-main/cli/args.js';
import { MendError } from '../../../src-main/shared/errors.js';

describe('num()', () => {
  it('refuses empty, blank, hexadecimal, binary, octal, infinite and partial numbers', () => {
    for (const v of ['', ' ', '\t', '0x1f', '0X1F', '0b11', '0o17', 'Infinity', '-Infinity', 'NaN', '1e309', '12abc', '1,5', '--1', '+', '.', 'e5', '1e']) {
      let err: unknown;
      try {
        num(v, 'sigma', 25, { min: 0, max: 255 });
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(v)).toBeInstanceOf(MendError);
      expect((err as MendError).code).toBe('usage');
      expect((err as MendError).message).toBe(`--sigma must be a number between 0 and 255, got "${v}"`);
    }
  });

  it('reads decimals as people type them, and still checks range and integers', () => {
    expect(num('12', 'x', 0)).toBe(12);
    expect(num('-3', 'x', 0)).toBe(-3);
    expect(num('+4', 'x', 0)).toBe(4);
    expect(num('.5', 'x', 0)).toBe(0.5);
    expect(num('5.', 'x', 0)).toBe(5);
    expect(num('1.5e1', 'x', 0)).toBe(15);
    expect(num('2E-3', 'x', 0)).toBe(0.002);
    expect(num(undefined, 'x', 7)).toBe(7);
    expect(() => num('2.5', 'jobs', 1, { int: true })).toThrow('--jobs must be an integer, got "2.5"');
    expect(() => num('300', 'sigma', 0, { min: 0, max: 255 })).toThrow('between 0 and 255');
  });
});
