// `mend batch --save-preset NAME` and `--preset NAME` (issue 21, point 5): the CLI saves a run's
// settings under a name in the presets file the interface also uses, and a later run takes them,
// with options given on the command line winning; an unknown preset is refused in one line.
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeImage } from '../../src-main/core/image/io.js';
import { runMend } from '../helpers/cli.js';
import { naturalImage } from '../helpers/synthetic.js';

let dir = '';
const env = (): NodeJS.ProcessEnv => ({ MEND_USER_MODELS: path.join(dir, 'data', 'models') });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mend-cli-preset-'));
  await mkdir(path.join(dir, 'in'));
  await writeImage(path.join(dir, 'in', 'a.png'), { raster: naturalImage(64, 48, 3, 2), bitDepth: 8, format: 'png' }, { keepMetadata: false });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mend batch presets', () => {
  it('saves a run as a preset and reuses it, command-line options first', async () => {
    const saved = await runMend(['batch', path.join(dir, 'in'), '-o', path.join(dir, 'o1'), '--format', 'jpeg', '--quality', '70', '--sigma', '15', '--save-preset', 'Web JPEG'], { env: env() });
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toContain(`Saved preset "Web JPEG" in ${path.join(dir, 'data', 'presets.json')}`);
    const file = JSON.parse(await readFile(path.join(dir, 'data', 'presets.json'), 'utf8')) as { presets: Record<string, unknown>[] };
    expect(file.presets).toEqual([{ name: 'Web JPEG', task: 'denoise', sigma: 15, strength: 1, passes: 1, format: 'jpeg', quality: 70, keepMetadata: true, skipExisting: false }]);

    const used = await runMend(['batch', path.join(dir, 'in'), '-o', path.join(dir, 'o2'), '--preset', 'web jpeg'], { env: env() });
    expect(used.code, used.stderr).toBe(0);
    expect(await readdir(path.join(dir, 'o2'))).toContain('a.jpg');
    // An option on the command line wins over the preset's.
    const over = await runMend(['batch', path.join(dir, 'in'), '-o', path.join(dir, 'o3'), '--preset', 'Web JPEG', '--format', 'png'], { env: env() });
    expect(over.code, over.stderr).toBe(0);
    expect(await readdir(path.join(dir, 'o3'))).toContain('a.png');
    expect((await sharp(path.join(dir, 'o3', 'a.png')).metadata()).format).toBe('png');
  });

  it('refuses an unknown preset in one line that names the saved ones', async () => {
    const res = await runMend(['batch', path.join(dir, 'in'), '-o', path.join(dir, 'o4'), '--preset', 'Nope'], { env: env() });
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain('No batch preset "Nope". Saved: Web JPEG');
  });
});
