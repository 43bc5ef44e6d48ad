/**
 * One batch at a time per output folder. Two batches writing into one OUTDIR would mix their
 * settings in the outputs and both append to one journal, so the second is refused: OUTDIR holds
 * `mend-batch.lock` (created exclusively, with the holder's process id) while a batch runs.
 *
 * A lock whose process is gone (killed batch, crash, reboot) is stale and taken over: it is first
 * renamed to a unique name, which only one of two racing takers can do, then created afresh.
 * Batches in one process (the engine running two jobs from the interface) share a process id,
 * so the folders this process holds are also kept in memory.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MendError } from '../../shared/errors.js';
import { unwritableError } from '../image/atomic-write.js';

export const LOCK_NAME = 'mend-batch.lock';

interface LockContent {
  pid: number;
  host: string;
  started: string;
}

/** Output folders (lock file paths) this process holds. */
const held = new Set<string>();

/** Is a process with this id alive? (EPERM: alive, someone else's.) */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseLock(text: string): LockContent | undefined {
  try {
    const c = JSON.parse(text) as Partial<LockContent>;
    return typeof c.pid === 'number' ? { pid: c.pid, host: String(c.host ?? ''), started: String(c.started ?? '') } : undefined;
  } catch {
    return undefined; // cut by a crash while it was written: nobody holds it
  }
}

/** Whether the lock described by `c` belongs to a batch that is still running. */
function isLive(file: string, c: LockContent | undefined): boolean {
  if (!c) return false;
  // Another machine's batch (a shared network folder): its process cannot be checked from here.
  if (c.host && c.host !== os.hostname()) return true;
  if (c.pid === process.pid) return held.has(file);
  return pidAlive(c.pid);
}

/**
 * Takes the lock of `outDir` (which must exist). Resolves with the function that releases it;
 * throws MendError naming the folder when another running batch holds it.
 */
export async function lockOutDir(outDir: string): Promise<() => Promise<void>> {
  const file = path.join(outDir, LOCK_NAME);
  const content: LockContent = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (held.has(file)) throw busy(outDir, content);
    const fh = await open(file, 'wx', 0o644).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw unwritableError(file, e);
      return undefined;
    });
    if (fh) {
      try {
        await fh.writeFile(JSON.stringify(content) + '\n');
      } catch (e) {
        // A full disk: no lock left behind that names nobody.
        await fh.close().catch(() => undefined);
        await rm(file, { force: true }).catch(() => undefined);
        throw unwritableError(file, e);
      }
      await fh.close();
      held.add(file);
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        held.delete(file);
        await rm(file, { force: true }).catch(() => undefined);
      };
    }
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue; // released meanwhile: try again
    const holder = parseLock(text);
    if (isLive(file, holder)) throw busy(outDir, holder!);
    // Stale: move it aside (atomic; a second taker's rename then fails) and try again.
    const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    if (await rename(file, aside).then(() => true, () => false)) await rm(aside, { force: true }).catch(() => undefined);
  }
  throw new MendError('unwritable', `Cannot lock the output folder ${outDir}: ${LOCK_NAME} keeps changing; is another batch starting there?`);
}

function busy(outDir: string, holder: LockContent): MendError {
  const since = holder.started ? `, started ${holder.started}` : '';
  const where = holder.host && holder.host !== os.hostname() ? ` on ${holder.host}` : '';
  return new MendError(
    'unwritable',
    `Another batch is writing into ${outDir} (process ${holder.pid}${where}${since}); wait for it to end or choose another output folder (if no batch runs there, delete its ${LOCK_NAME})`,
  );
}
