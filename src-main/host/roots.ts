/**
 * The folders `mend serve --root` shares. Every server-side path a browser sends (open, browse,
 * batch inputs and output folder, training folders) is resolved here: made absolute, resolved
 * through symbolic links (realpath of the longest existing prefix) and accepted only when the
 * result lies inside a root. `..`, percent-decoded `..` (the router decodes query strings before
 * they get here) and links that point out of a root all end up outside and are refused.
 *
 * `undefined` roots means "no restriction" (the desktop app: paths come from its own dialogs).
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from './errors.js';

/** Checks each root is an existing folder and returns their real paths. */
export async function realRoots(roots: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const r of roots) {
    let real: string;
    try {
      real = await realpath(path.resolve(r));
    } catch {
      throw new EngineError('usage', `--root ${r}: folder not found`);
    }
    if (!(await stat(real)).isDirectory()) throw new EngineError('usage', `--root ${r} is not a folder`);
    if (!out.includes(real)) out.push(real);
  }
  return out;
}

export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** realpath of the longest existing prefix of `abs`, plus the rest (which does not exist yet). */
async function realpathAllowingMissing(abs: string): Promise<string> {
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      const real = await realpath(cur);
      return rest.length ? path.join(real, ...rest.reverse()) : real;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
      const parent = path.dirname(cur);
      if (parent === cur) return abs;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}

export const NO_ROOTS_MESSAGE = 'No server folders are shared: start mend serve with --root DIR to open or write files on the server';

/**
 * The real, absolute path for `p` when it lies inside one of `roots`; throws EngineError
 * 'forbidden' otherwise. Relative paths are taken relative to the first root.
 */
export async function resolveUnderRoots(p: unknown, roots: string[] | undefined, what = 'Path'): Promise<string> {
  if (typeof p !== 'string' || p.length === 0) throw new EngineError('usage', `${what} is missing`);
  if (p.includes('\0')) throw new EngineError('usage', `${what} contains a NUL character`);
  if (!roots) return path.resolve(p);
  if (roots.length === 0) throw new EngineError('forbidden', NO_ROOTS_MESSAGE);
  const abs = path.isAbsolute(p) ? path.resolve(p) : path.resolve(roots[0]!, p);
  const real = await realpathAllowingMissing(abs).catch((e: NodeJS.ErrnoException) => {
    // Found by fuzzing: a 300-character name came back as "internal error: ENAMETOOLONG ...".
    const why = e.code === 'ENAMETOOLONG' ? 'a name in it is too long' : e.code === 'ELOOP' ? 'it has a loop of symbolic links' : e.code === 'EACCES' ? 'permission denied' : undefined;
    if (!why) throw e;
    throw new EngineError(e.code === 'EACCES' ? 'forbidden' : 'usage', `${what} ${p.length > 80 ? `${p.slice(0, 77)}...` : p} cannot be used: ${why}`);
  });
  if (!roots.some((r) => isInside(r, real))) {
    const viaLink = roots.some((r) => isInside(r, abs));
    throw new EngineError('forbidden', `${what} ${p} is outside the shared folders${viaLink ? ' (through a symbolic link)' : ''}`);
  }
  return real;
}
