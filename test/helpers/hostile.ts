// Shared by the hostile-input CLI tests (issue 20): a photo and a mask in a fresh folder, and
// checks on how the CLI fails.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { writeImage } from '../../src-main/core/image/io.js';
import { naturalImage } from './synthetic.js';

export const ENV = { MEND_BACKEND: 'wasm' };

/** One line on stderr starting with "mend:", no stack trace; returns it. */
export function expectOneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.startsWith('mend:'));
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at |internal error/);
  return lines[0]!;
}

/** A process id that is certainly dead: a child that has exited. */
export function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', '0']);
    child.once('exit', () => resolve(child.pid!));
  });
}

/** A fresh folder (readable by other users: one case runs the CLI as another user) with a 48x40 photo and a mask. */
export async function hostileFixtures(prefix: string): Promise<{ tmp: string; photo: string; mask: string }> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(tmp, 0o755);
  const photo = path.join(tmp, 'photo.png');
  const mask = path.join(tmp, 'mask.png');
  await writeImage(photo, { raster: naturalImage(48, 40, 3, 3) });
  const m = new Float32Array(48 * 40);
  for (let i = 0; i < 40; i++) m[i * 48 + 10] = 1;
  await writeImage(mask, { raster: { width: 48, height: 40, channels: 1, data: m } });
  return { tmp, photo, mask };
}
