// Where `mend bench` finds the Set12/McMaster benchmark images: --data, else MEND_DATA; nothing
// given skips the eval; a folder named but missing or without the sets is refused up front.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchDataDir } from '../../../src-main/core/bench/data-dir.js';

let root = '';
let data = '';

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'mend-bench-data-'));
  data = path.join(root, 'data');
  await mkdir(path.join(data, 'bench', 'Set12'), { recursive: true });
  await mkdir(path.join(root, 'empty'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('benchDataDir', () => {
  it('takes --data first, then MEND_DATA, and returns the absolute folder', () => {
    expect(benchDataDir(data, { MEND_DATA: path.join(root, 'missing') })).toBe(data);
    expect(benchDataDir(undefined, { MEND_DATA: data })).toBe(data);
    expect(benchDataDir(path.relative(process.cwd(), data), {})).toBe(data);
  });

  it('gives no folder when neither is set (the bench then skips its eval)', () => {
    expect(benchDataDir(undefined, {})).toBeUndefined();
    expect(benchDataDir(undefined, { MEND_DATA: '' })).toBeUndefined();
  });

  it('refuses a missing folder, naming where it came from and what it should hold', () => {
    const missing = path.join(root, 'missing');
    expect(() => benchDataDir(missing, {})).toThrow(expect.objectContaining({
      code: 'usage', message: `--data ${missing} is not a folder; give a folder holding bench/Set12 and bench/McMaster (the Set12/McMaster benchmark images), or --no-eval`,
    }));
    expect(() => benchDataDir(undefined, { MEND_DATA: missing })).toThrow(/^MEND_DATA .*missing is not a folder/);
  });

  it('refuses a folder that holds neither benchmark set', () => {
    expect(() => benchDataDir(path.join(root, 'empty'), {})).toThrow(/holds neither bench\/Set12 nor bench\/McMaster/);
  });
});
