/**
 * Where an export goes and how it is written, for every export format: the user's `target`
 * (refused when it is one of the workspace's images or a file one was opened from) or, without
 * one, a fresh temp folder the host streams from and deletes, removed here if writing fails.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { ExportedFile } from '../host/protocol.js';
import { assertNotSameFile } from '../core/image/io.js';
import { imageDir } from '../host/layout.js';
import type { Workspace } from './workspace.js';

export async function writeExportFile(
  ws: Workspace,
  target: string | undefined,
  fileName: string,
  write: (file: string) => Promise<void>,
): Promise<ExportedFile> {
  let file: string;
  if (target) {
    file = path.resolve(target);
    for (const s of await ws.list()) {
      assertNotSameFile(path.join(imageDir(ws.dir, s.info.id), s.file), file);
      if (s.originalPath) assertNotSameFile(s.originalPath, file);
    }
  } else {
    file = path.join(await ws.tempFolder('export'), fileName);
  }
  try {
    await write(file);
  } catch (e) {
    if (!target) await rm(path.dirname(file), { recursive: true, force: true });
    throw e;
  }
  return { file, fileName: target ? path.basename(file) : fileName };
}
