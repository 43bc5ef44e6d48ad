/**
 * What every host of the engine process does the same way, whether it is `mend serve`
 * (server/) or the desktop app's main process (app/): own the workspace folder (it outlives
 * engine restarts), put uploads where the engine can take them, find the temporary folder an
 * export was written to, and name the files of a workspace image it may show. Plain Node: no
 * sharp, no TensorFlow.js, no electron, so a host stays light and never blocks on image work.
 */
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { newId, tmpDir } from './layout.js';
import { isInside } from './roots.js';

export interface HostWorkspace {
  dir: string;
  /** Removes the folder (idempotent). */
  remove(): Promise<void>;
}

/**
 * A fresh workspace folder under `parent` (default: the OS temp folder), removed by remove() or,
 * as a last resort, when the process exits without it.
 */
export async function createHostWorkspace(prefix: string, parent: string = os.tmpdir()): Promise<HostWorkspace> {
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(path.join(parent, prefix));
  await mkdir(tmpDir(dir), { recursive: true });
  const removeOnExit = (): void => rmSync(dir, { recursive: true, force: true });
  process.on('exit', removeOnExit);
  let removing: Promise<void> | undefined;
  return {
    dir,
    remove: () =>
      (removing ??= (async () => {
        await rm(dir, { recursive: true, force: true });
        process.off('exit', removeOnExit);
      })()),
  };
}

/** A temp file in the workspace for an upload in flight (the engine moves it into place). */
export function uploadPath(workspaceDir: string, prefix: string): string {
  return path.join(tmpDir(workspaceDir), `${prefix}-${newId()}`);
}

/** Writes bytes the interface sent (a paste, a drawn mask) to an upload file for the engine. */
export async function writeUpload(workspaceDir: string, prefix: string, data: Uint8Array): Promise<string> {
  const file = uploadPath(workspaceDir, prefix);
  await writeFile(file, data, { flag: 'wx' });
  return file;
}

/**
 * Files the engine wrote for the host to deliver (exports) live in their own temp folder: the
 * folder to remove once delivered, or undefined for a file that is not such an export.
 */
export function exportTempFolder(workspaceDir: string, file: string): string | undefined {
  const dir = path.dirname(file);
  const tmp = tmpDir(workspaceDir);
  return isInside(tmp, dir) && dir !== tmp ? dir : undefined;
}
