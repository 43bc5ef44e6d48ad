/**
 * The filesystem paths the window may use, and nothing else. The renderer never names a path on
 * its own authority: a path is usable only after the user gave it to the app
 *
 *  - through a native dialog shown by main (File > Open, a folder chooser, a save dialog),
 *  - by opening it with the app from outside (file association, dock, second launch, argv),
 *  - or, for folders, through a dialog in an earlier session, for FOLDER_GRANT_DAYS (settings.ts).
 *
 * Nothing the window sends grants a path: a dropped or picked file reaches main as bytes.
 *
 * Files are granted one by one; a folder grants what lies under it. Checks resolve symbolic
 * links (the longest existing prefix, as host/roots.ts does) so a link inside a granted folder
 * that points out of it is refused, and `..` can never climb out.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../host/errors.js';
import { isInside, resolveUnderRoots } from '../host/roots.js';

async function real(p: string): Promise<string> {
  return realpath(p).catch(() => path.resolve(p));
}

export class Grants {
  private readonly files = new Set<string>();
  private readonly folders = new Set<string>();

  /** Grants a file the user chose (stored as its real path and as given). */
  async grantFile(p: string): Promise<string> {
    const abs = path.resolve(p);
    this.files.add(abs);
    const r = await real(abs);
    this.files.add(r);
    return r;
  }

  /** Grants a folder and everything under it. */
  async grantFolder(p: string): Promise<string> {
    const r = await real(path.resolve(p));
    this.folders.add(r);
    return r;
  }

  /** Granted folders (real paths), e.g. to remember across sessions. */
  get folderList(): string[] {
    return [...this.folders];
  }

  /**
   * The real path of `p` when it is a granted file or lies under a granted folder; throws
   * EngineError 'forbidden' otherwise (or 'usage' for a malformed path).
   */
  async check(p: unknown, what = 'Path'): Promise<string> {
    if (typeof p !== 'string' || p.length === 0) throw new EngineError('usage', `${what} is missing`);
    if (p.includes('\0')) throw new EngineError('usage', `${what} contains a NUL character`);
    if (!path.isAbsolute(p)) throw new EngineError('forbidden', `${what} must be a full path chosen in a dialog`);
    const abs = path.resolve(p);
    if (this.files.has(abs)) {
      const r = await real(abs);
      if (this.files.has(r)) return r;
    }
    const folders = [...this.folders];
    if (folders.length > 0 && folders.some((f) => isInside(f, abs))) {
      // Resolves links: a link under a granted folder that points elsewhere is refused.
      try {
        return await resolveUnderRoots(abs, folders, what);
      } catch (e) {
        if (!(e instanceof EngineError) || e.code !== 'forbidden') throw e;
      }
    }
    throw new EngineError('forbidden', `${what} ${p} was not opened in Mend: choose it with File > Open or a folder dialog, or drop it on the window`);
  }
}
