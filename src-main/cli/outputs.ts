/**
 * Checks on a command's output paths, made before any work: no output is one of the command's
 * inputs (the photo, its mask) or another output, and each output's folder exists and can be
 * written, so a missing `-o newdir/` is reported at once rather than after a long denoise.
 */
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { MendError } from '../shared/errors.js';
import { unwritableError } from '../core/image/atomic-write.js';

/** Same path, or the same file through a link (dev + inode). */
function sameFile(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false; // one of them does not exist
  }
}

/**
 * Throws MendError 'usage' when an output is an input or two outputs are one file.
 * `inputs` and `outputs` map what each is called in the message to its path.
 */
export function checkOutputsApart(inputs: Record<string, string | undefined>, outputs: Record<string, string | undefined>): void {
  const ins = Object.entries(inputs).filter((e): e is [string, string] => e[1] !== undefined);
  const outs = Object.entries(outputs).filter((e): e is [string, string] => e[1] !== undefined);
  for (const [outName, out] of outs) {
    for (const [inName, input] of ins) {
      if (sameFile(input, out)) {
        throw new MendError('usage', `${outName} ${out} is the ${inName}; Mend never writes over its inputs, choose another output path`);
      }
    }
  }
  for (let i = 0; i < outs.length; i++) {
    for (let j = i + 1; j < outs.length; j++) {
      if (sameFile(outs[i]![1], outs[j]![1])) throw new MendError('usage', `${outs[i]![0]} and ${outs[j]![0]} are the same file ${outs[i]![1]}; give them different paths`);
    }
  }
}

/** Throws MendError 'unwritable' naming `output` when its folder is missing, not a folder or read-only. */
export function checkOutputFolder(output: string): void {
  const dir = path.dirname(path.resolve(output));
  try {
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    const err = unwritableError(output, e);
    throw (e as NodeJS.ErrnoException).code === 'ENOENT'
      ? new MendError('unwritable', `Cannot write ${output}: the folder ${path.dirname(output)} does not exist`)
      : err;
  }
  if (statSync(output, { throwIfNoEntry: false })?.isDirectory()) throw new MendError('unwritable', `Cannot write ${output}: it is a folder`);
}

/**
 * `mend train --out DIR` writes a model folder: refused when DIR already holds anything (a
 * trained or shipped model, any other files) unless --force replaces it, or --resume continues
 * the training whose checkpoint it holds.
 */
export function checkTrainOut(out: string, opts: { resume: boolean; force: boolean; hasCheckpoint: boolean }): void {
  if (opts.force) return;
  const st = statSync(out, { throwIfNoEntry: false });
  if (!st) return;
  if (!st.isDirectory()) throw new MendError('usage', `--out ${out} is a file; give a new folder for the model`);
  if (opts.resume) {
    if (opts.hasCheckpoint || readdirSync(out).length === 0) return;
    throw new MendError('usage', `--out ${out} holds no checkpoint to resume, and Mend does not write over it; give a new folder, or --force to replace what it holds`);
  }
  const entries = readdirSync(out);
  if (entries.length === 0) return;
  const what = entries.includes('card.json') ? 'already holds a model' : `is a folder with ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} in it`;
  throw new MendError('usage', `--out ${out} ${what}; Mend does not write over it: give a new folder, --resume to continue its training, or --force to replace it`);
}
