// Write a file so that readers see either the old file or the complete new one, never a partial
// file: write a temp file in the same directory, fsync it, then rename it over the target.

import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { MendError } from '../../shared/errors.js';

/** Marker every temp file name contains, so leftovers are easy to recognise. */
export const TEMP_MARKER = '.mend-tmp';

/** `<dir>/.<name>.mend-tmp-<random>`: hidden, same directory (same filesystem) as `target`. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}${TEMP_MARKER}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

const REASONS: Record<string, string> = {
  ENOENT: 'the folder does not exist',
  ENOTDIR: 'a part of the folder path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  EISDIR: 'it is a folder',
  ENAMETOOLONG: 'the name is too long',
  EEXIST: 'a temporary file of the same name exists',
};

/** MendError 'unwritable' naming `path`, with the reason taken from a Node fs error. */
export function unwritableError(path: string, err: unknown): MendError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const known = code !== undefined && Object.hasOwn(REASONS, code) ? REASONS[code] : undefined;
  const reason = known ?? (err instanceof Error ? err.message.replace(/\s+/g, ' ').trim() : String(err));
  return new MendError('unwritable', `Cannot write ${path}: ${reason}`, { cause: err });
}

/** Atomically replace (or create) `path` with `data`. Throws MendError 'unwritable'. */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const tmp = tempPathFor(path);
  let created = false;
  try {
    const fh = await open(tmp, 'wx', 0o666);
    created = true;
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    created = false;
  } catch (err) {
    if (created) await rm(tmp, { force: true }).catch(() => undefined);
    throw unwritableError(path, err);
  }
}
