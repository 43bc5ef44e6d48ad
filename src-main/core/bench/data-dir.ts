/**
 * Where `mend bench` finds the benchmark images: `--data DIR`, else the MEND_DATA environment
 * variable. The folder holds bench/Set12 (grey), bench/McMaster (colour) and, for inpainting,
 * bench/masks/McMaster. Mend ships none of them; without a folder the bench skips its eval.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { MendError } from '../../shared/errors.js';

const WHAT = 'a folder holding bench/Set12 and bench/McMaster (the Set12/McMaster benchmark images)';

/** What the bench notes when no folder was given. */
export const NO_BENCH_DATA = `eval: not run, no benchmark data (give --data DIR or set MEND_DATA: ${WHAT})`;

/**
 * The benchmark data folder, absolute: `explicit`, else MEND_DATA; undefined when neither is
 * given. A folder that was named but is missing, or holds neither set, is a usage error: a typo
 * should not cost a long bench that silently leaves out the scores.
 */
export function benchDataDir(explicit?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const from = explicit !== undefined ? '--data' : env.MEND_DATA ? 'MEND_DATA' : undefined;
  const dir = explicit ?? env.MEND_DATA;
  if (!from || !dir) return undefined;
  const abs = path.resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) {
    throw new MendError('usage', `${from} ${dir} is not a folder; give ${WHAT}, or --no-eval`);
  }
  if (!['Set12', 'McMaster'].some((set) => existsSync(path.join(abs, 'bench', set)))) {
    throw new MendError('usage', `${from} ${dir} holds neither bench/Set12 nor bench/McMaster; give ${WHAT}, or --no-eval`);
  }
  return abs;
}
