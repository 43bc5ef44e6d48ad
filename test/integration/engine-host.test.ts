// The desktop app's engine host: the real engine (dist/src-main/engine/main.js) started the way
// Electron starts it, as a utility process speaking through process.parentPort
// (src-main/app/engine-process.ts, with test/helpers/utility-process.ts standing in for
// Electron's module), driven by the same EngineClient as `mend serve`. What the desktop adds to
// test/integration/engine-client.test.ts: the utilityProcess adapter and its hard kill, and the
// onEngineExit report the app turns into a message and an immediate restart.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utilityProcessLauncher } from '../../src-main/app/engine-process.js';
import { writeImage } from '../../src-main/core/image/io.js';
import { EngineClient, type ClientJob } from '../../src-main/host/client.js';
import type { ApiError, ImageInfo, JobSpec, JobStreamEvent, TrainJobSpec } from '../../src-main/shared/api.js';
import { naturalImage } from '../helpers/synthetic.js';
import { standInUtilityProcess } from '../helpers/utility-process.js';

let tmp: string;
let workspace: string;
let image: ImageInfo;
const utility = standInUtilityProcess();
const exits: { planned: boolean; message: string }[] = [];
let client: EngineClient;

const ENV = (): NodeJS.ProcessEnv => ({ MEND_BACKEND: 'wasm', MEND_USER_MODELS: path.join(tmp, 'user-models') });

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mend-engine-host-test-'));
  workspace = path.join(tmp, 'ws');
  client = new EngineClient({
    workspaceDir: workspace, env: ENV(), stdio: 'ignore',
    launcher: utilityProcessLauncher(utility),
    onEngineExit: (e) => exits.push(e),
  });
});

afterAll(async () => {
  await client?.close();
  await rm(tmp, { recursive: true, force: true });
});

const longTraining = (name: string): TrainJobSpec => ({
  type: 'train', images: [image.id], name, arch: 'residual', variant: 'denoising', noise: 'gaussian:25', channels: 3, patch: 32, steps: 100_000, batch: 4,
});

async function firstStep(events: JobStreamEvent[]): Promise<void> {
  const t0 = Date.now();
  while (!events.some((e) => e.type === 'progress' && e.stage === 'train')) {
    if (Date.now() - t0 > 60_000) throw new Error('no training step within 60 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function rejection<S extends JobSpec>(job: ClientJob<S>): Promise<ApiError> {
  try {
    await job.done;
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('the job did not fail');
}

describe('engine in a utility process', () => {
  it('starts the engine as a named utility process that answers through parentPort', async () => {
    const info = await client.call('info');
    expect(info).toMatchObject({ mode: 'desktop', backend: { name: 'wasm' } });
    expect(utility.forks).toHaveLength(1);
    expect(utility.forks[0]).toMatchObject({ serviceName: 'Mend engine' });
    expect(utility.forks[0]!.entry).toMatch(/dist[/\\]src-main[/\\]engine[/\\]main\.js$/);
    expect(utility.forks[0]!.env).toMatchObject({ MEND_WORKSPACE: workspace, MEND_MODE: 'desktop', MEND_USER_MODELS: path.join(tmp, 'user-models') });
    // No roots: in the desktop app main checks paths against what the user granted.
    expect(utility.forks[0]!.env.MEND_ROOTS).toBeUndefined();
    const file = path.join(tmp, 'upload.png');
    await writeImage(file, { raster: naturalImage(64, 64, 3, 5) });
    image = await client.call('addImage', 'photo.png', file);
    expect(image).toMatchObject({ name: 'photo.png', width: 64 });
  });

  it('reports a crash, fails the running job with engine-crashed, and the next call restarts it', async () => {
    const events: JobStreamEvent[] = [];
    const job = client.startJob(longTraining('Crash'), (e) => events.push(e));
    await firstStep(events);
    const pid = client.pid!;
    process.kill(pid, 'SIGKILL');
    const err = await rejection(job);
    expect(err.code).toBe('engine-crashed');
    expect(exits.at(-1)).toMatchObject({ planned: false, message: expect.stringMatching(/stopped unexpectedly/) });
    // The job can be retried: a new engine, the same workspace.
    const again = client.startJob({ type: 'denoise', image: image.id, sigma: 10 }, () => undefined);
    await expect(again.done).resolves.toMatchObject({ type: 'denoise' });
    expect(client.pid).not.toBe(pid);
    expect(utility.forks).toHaveLength(2);
  });

  it('cancels cooperatively, then kills a job that ignores cancel after the grace period (SIGKILL, not utilityProcess.kill)', async () => {
    const impatient = new EngineClient({
      workspaceDir: workspace, env: ENV(), stdio: 'ignore', cancelGraceMs: 1,
      launcher: utilityProcessLauncher(utility),
      onEngineExit: (e) => exits.push(e),
    });
    try {
      await impatient.call('info');
      const events: JobStreamEvent[] = [];
      const job = impatient.startJob(longTraining('Kill'), (e) => events.push(e));
      await firstStep(events);
      const forkIndex = utility.forks.length - 1;
      const t0 = Date.now();
      await job.cancel();
      const err = await rejection(job);
      expect(err).toMatchObject({ code: 'cancelled', message: expect.stringMatching(/did not stop in time/) });
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(utility.forks[forkIndex]!.exit).toEqual({ code: null, signal: 'SIGKILL' });
      expect(exits.at(-1)).toMatchObject({ planned: true });
      // Restarted right away for the next action.
      expect((await impatient.call('listModels')).length).toBeGreaterThan(0);
    } finally {
      await impatient.close();
    }
  });

  it('stops the engine on close without reporting it as a crash', async () => {
    const before = exits.length;
    const last = utility.forks.length;
    const c = new EngineClient({ workspaceDir: workspace, env: ENV(), stdio: 'ignore', launcher: utilityProcessLauncher(utility), onEngineExit: (e) => exits.push(e) });
    await c.call('info');
    await c.close();
    expect(utility.forks[last]!.exit).toBeDefined();
    expect(exits.length).toBe(before);
  });
});
