/** Small helpers over node:util parseArgs that turn bad values into 'usage' errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { checkPasses } from '../core/infer/ensemble.js';
import { MendError } from '../shared/errors.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  backend: { type: 'string' },
  runtime: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export function parse<T extends Options>(argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals, strict: true });
  } catch (e) {
    throw new MendError('usage', (e as Error).message.split('\n')[0]);
  }
}

/** A decimal number as people type it: 12, -3, 0.5, .5, 2e-3 (no hex, no blanks, no Infinity). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export function num(value: string | undefined, name: string, fallback: number, opts: { min?: number; max?: number; int?: boolean } = {}): number {
  if (value === undefined) return fallback;
  // Number() reads '' and '  ' as 0 and '0x1f' as 31: only plain decimal notation is a number here.
  const v = DECIMAL.test(value) ? Number(value) : NaN;
  const bad =
    !Number.isFinite(v) || (opts.int && !Number.isInteger(v)) || (opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max);
  if (bad) {
    const range = opts.min !== undefined && opts.max !== undefined ? ` between ${opts.min} and ${opts.max}` : opts.min !== undefined ? ` >= ${opts.min}` : '';
    throw new MendError('usage', `--${name} must be ${opts.int ? 'an integer' : 'a number'}${range}, got "${value}"`);
  }
  return v;
}

export function oneOf<T extends string>(value: string | undefined, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new MendError('usage', `--${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

export function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new MendError('usage', `--${name} is required`);
  return value;
}

/** --quality Q: an encoder quality 1-100, or undefined for the format's default. */
export function qualityOption(value: string | undefined): number | undefined {
  return value === undefined ? undefined : num(value, 'quality', 90, { min: 1, max: 100, int: true });
}

/** --passes 1|2|4|8: network passes over turned copies of the image, averaged (core/infer/ensemble.ts). */
export function passesOption(value: string | undefined): number {
  return checkPasses(num(value, 'passes', 1, { int: true, min: 1 }));
}

/** --depth 8|16: output bits per channel, or undefined to keep the input's. */
export function depthOption(value: string | undefined): 8 | 16 | undefined {
  return value === undefined ? undefined : oneOf(value, 'depth', ['8', '16'] as const, '8') === '16' ? 16 : 8;
}
