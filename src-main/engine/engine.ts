/**
 * The engine: every non-URL method of MendApi, on the workspace and the core. Plain Node (never
 * electron); it runs in its own process (main.ts) so that TensorFlow.js and sharp never block or
 * crash the window or the web server. Hosts talk to it through host/client.ts.
 *
 * Differences from MendApi, because a process boundary sits in between:
 *  - addImage / importModel take a file the host already wrote (an upload), not a Blob;
 *  - exportImage / exportModel write a file and return its path (the host streams or moves it);
 *  - imageFile / diffImage / batchOutputFile return paths for the host to serve (the URLs).
 */
import { readFileSync } from 'node:fs';
import type * as v from 'valibot';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppInfo, BackendInfo, JobId, JobResult, JobSpec, JobStreamEvent } from '../shared/api.js';
import { backendStatus, describeBackend } from '../core/runtime/backend.js';
import { describeRuntime, inferenceRuntime } from '../core/infer/runtime-choice.js';
import { ExportOptionsSchema, JobSpecSchema } from '../shared/schema/index.js';
import { checkRequest } from '../shared/schema/parse.js';
import { EngineError } from '../host/errors.js';
import type { EngineCalls } from '../host/protocol.js';
import { batchOutputFile, runBatchJob } from './batch-job.js';
import { makeFolder } from './folders.js';
import { deletePreset, listPresets, savePreset } from '../core/batch/presets.js';
import { browseFolder, compareImages, diffImage, exportImage } from './image-ops.js';
import { runAnomaly, runCorrupt, runDenoise, runInpaint, type JobRuntime } from './image-jobs.js';
import { variantFile } from '../host/layout.js';
import * as models from './models.js';
import { resolveUnderRoots } from '../host/roots.js';
import { runDustJob, runLabCodesJob, runLabCompareJob, runSimilarFindJob, runSimilarIndexJob } from './lab-jobs.js';
import { runTrainJob } from './train-job.js';
import { Workspace } from './workspace.js';

export interface EngineOptions {
  workspaceDir: string;
  /** Server-side folders paths must lie in (web mode); undefined = any path (desktop dialogs). */
  roots?: string[];
  mode?: AppInfo['mode'];
}

export interface RunningJob {
  id: JobId;
  /** Resolves with the result; rejects with an EngineError ('cancelled' after cancel; a batch resolves with status 'cancelled'). */
  done: Promise<JobResult>;
  cancel(): void;
  /** Batch only; no-ops for other jobs. */
  pause(): void;
  resume(): void;
}

export interface Engine extends EngineCalls {
  startJob(id: JobId, spec: JobSpec, onEvent: (e: JobStreamEvent) => void): RunningJob;
  /** Cancels every job. */
  dispose(): Promise<void>;
}

/** package.json's version, found by walking up from this file (dist/ or sources). */
function appVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'mend' && pkg.version) return pkg.version;
    } catch {
      // not here
    }
    dir = path.dirname(dir);
  }
  return '0.0.0';
}

/**
 * What runs the work: the inference runtime (ONNX Runtime or TensorFlow.js, chosen by a cached
 * calibration) and the TensorFlow.js backend that training uses.
 */
async function backendInfo(): Promise<BackendInfo> {
  const s = backendStatus();
  if (!s) return { name: 'cpu', label: 'not started' };
  let inference = '';
  try {
    inference = `${describeRuntime(await inferenceRuntime())} for inference · `;
  } catch {
    // No runtime could be chosen (should not happen: tfjs always works); show the backend alone.
  }
  const hint =
    s.active === 'cuda' ? undefined
    : s.active === 'native' ? 'Install @tensorflow/tfjs-node-gpu with CUDA 11.2 / cuDNN 8 for GPU speed'
    : 'Install @tensorflow/tfjs-node (native CPU) or @tensorflow/tfjs-node-gpu (CUDA GPU) for faster training';
  return { name: s.active, label: `${inference}${describeBackend(s.active)}${inference ? ' for training' : ''}`, ...(hint ? { hint } : {}) };
}

/** The request as its schema outputs it; EngineError 'usage' with the one-line reason otherwise. */
function parseRequest<S extends v.GenericSchema>(schema: S, value: unknown, what: string): v.InferOutput<S> {
  const r = checkRequest(schema, value, what);
  if (!r.ok) throw new EngineError('usage', `The engine refused the request: ${r.reason}`);
  return r.value;
}

export async function createEngine(opts: EngineOptions): Promise<Engine> {
  const ws = await Workspace.open(opts.workspaceDir);
  const roots = opts.roots;
  const jobs = new Map<JobId, RunningJob>();

  /** `raw` is whatever the host sent: the job's schema (shared/schema/jobs.ts) is the engine's edge. */
  function startJob(id: JobId, raw: unknown, onEvent: (e: JobStreamEvent) => void): RunningJob {
    const controller = new AbortController();
    let controls: { pause(): void; resume(): void } | undefined;
    // A pause that arrives before the batch has planned its work still counts.
    let wantPaused = false;
    const rt: JobRuntime = {
      ws,
      signal: controller.signal,
      emit: (e) => {
        try {
          onEvent(e);
        } catch {
          // A host that cannot take an event must not fail the job.
        }
      },
    };
    const run = async (): Promise<JobResult> => {
      const spec = parseRequest(JobSpecSchema, raw, 'the job');
      switch (spec.type) {
        case 'denoise': return runDenoise(spec, rt);
        case 'inpaint': return runInpaint(spec, rt);
        case 'anomaly': return runAnomaly(spec, rt);
        case 'corrupt': return runCorrupt(spec, rt);
        case 'batch': return runBatchJob(spec, { ...rt, jobId: id, roots, setControls: (c) => {
          controls = c;
          if (wantPaused) c.pause();
        } });
        case 'train': return runTrainJob(spec, { ...rt, roots });
        case 'lab-compare': return runLabCompareJob(spec, { ...rt, roots });
        case 'lab-codes': return runLabCodesJob(spec, { ...rt, roots });
        case 'dust': return runDustJob(spec, { ...rt, roots });
        case 'similar-index': return runSimilarIndexJob(spec, { ...rt, roots });
        case 'similar-find': return runSimilarFindJob(spec, { ...rt, roots });
      }
    };
    const job: RunningJob = {
      id,
      done: run().finally(() => jobs.delete(id)),
      cancel: () => controller.abort(),
      pause: () => {
        wantPaused = true;
        controls?.pause();
      },
      resume: () => {
        wantPaused = false;
        controls?.resume();
      },
    };
    jobs.set(id, job);
    return job;
  }

  return {
    info: async () => ({ version: appVersion(), mode: opts.mode ?? 'desktop', backend: await backendInfo(), roots: roots ?? [] }),
    addImage: (name, file) => ws.addFile(name, file, { move: true }),
    openPath: async (p) => {
      const file = await resolveUnderRoots(p, roots, 'File');
      const st = await stat(file).catch(() => undefined);
      if (!st) throw new EngineError('not-found', `File not found: ${p}`);
      if (st.isDirectory()) throw new EngineError('not-an-image', `${p} is a folder, not an image`);
      return ws.addFile(path.basename(file), file, { move: false, originalPath: file });
    },
    removeImage: (id) => ws.remove(id),
    compare: (reference, image, mask) => compareImages(ws, reference, image, mask),
    browse: (p) => browseFolder(p, roots),
    exportImage: async (o, target) => exportImage(ws, parseRequest(ExportOptionsSchema, o, 'the export'), target),
    imageFile: async (id, variant) => {
      await ws.get(id);
      return variantFile(ws.dir, id, variant);
    },
    diffImage: (a, b, gain) => diffImage(ws, a, b, gain),
    batchOutputFile: (outDir, name) => batchOutputFile(ws, roots, outDir, name),
    listModels: () => models.modelSummaries(),
    modelDetails: (id) => models.modelDetails(id),
    renameModel: (id, name) => models.renameModel(id, name),
    deleteModel: (id) => models.deleteModel(id),
    importModel: (name, file) => models.importModel(name, file),
    exportModel: (id) => models.exportModel(ws, id),
    listPresets: () => listPresets(),
    savePreset: (preset) => savePreset(preset),
    deletePreset: (name) => deletePreset(String(name)),
    makeFolder: (parent, name) => makeFolder(parent, name, roots),
    startJob,
    dispose: async () => {
      const running = [...jobs.values()];
      for (const j of running) j.cancel();
      await Promise.allSettled(running.map((j) => j.done));
    },
  };
}
