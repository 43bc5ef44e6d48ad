/**
 * Temp files that a killed batch left behind: an atomic write goes through a hidden temp file
 * named with the writer's process id, so one whose process is gone can be removed safely.
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { TEMP_MARKER } from '../image/atomic-write.js';
import { pidAlive } from './lock.js';

const TEMP_RE = new RegExp(`^\\..+${TEMP_MARKER.replace('.', '\\.')}-(\\d+)-[0-9a-f]+$`);

/** Removes temp files of writes that a killed batch left in these folders. */
export async function removeStaleTemps(dirs: Iterable<string>): Promise<number> {
  let removed = 0;
  for (const d of dirs) {
    let names: string[];
    try {
      names = await readdir(d);
    } catch {
      continue;
    }
    for (const name of names) {
      const m = TEMP_RE.exec(name);
      if (!m || pidAlive(Number(m[1]))) continue;
      const full = path.join(d, name);
      const st = await lstat(full).catch(() => undefined);
      if (st?.isFile()) {
        await rm(full, { force: true });
        removed++;
      }
    }
  }
  return removed;
}
