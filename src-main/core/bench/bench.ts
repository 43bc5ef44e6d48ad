/**
 * `mend bench`: how fast and how good the shipped models are on this machine.
 *  - inference speed of each registry default model on a generated picture (megapixels/s and
 *    GFLOPS from the card's FLOPs per pixel);
 *  - for the default colour model, both inference runtimes (TensorFlow.js and ONNX Runtime) side
 *    by side, an sgemm of the machine (its practical peak) and the fraction of it inference
 *    reaches, and tiles one-after-another-with-all-threads vs side-by-side-single-threaded;
 *  - training throughput of the default colour denoiser's architecture, using the trainer's own
 *    step (patches/s; effective GFLOPS = 3 x forward FLOPs per second: forward + two backward);
 *  - with the Set12/McMaster benchmark images (`--data DIR`, else MEND_DATA; data-dir.ts):
 *    `mend eval` on Set12 and McMaster at sigma 15/25/50 and the inpainting masks, next to
 *    published reference numbers.
 * The timings live in inference-bench.ts and training-bench.ts (batch overhead: batch-bench.ts);
 * this file runs them in order, with progress, and gathers the result and its notes.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MendError } from '../../shared/errors.js';
import type { JobContext } from '../../shared/jobs.js';
import {
  BENCH_SIGMAS, evaluateDenoise, evaluateInpaint, type DenoiseEvalRow, type EvalResult, type InpaintEvalRow,
} from '../eval/evaluate.js';
import { describeRuntime, inferenceRuntime, type RuntimeName } from '../infer/runtime-choice.js';
import { throwIfCancelled } from '../jobs/cancel.js';
import { defaultChannels, readRegistry, shippedModelsDir } from '../models/registry.js';
import { loadModelFolder, type LoadedModel } from '../models/store.js';
import { backendStatus, describeBackend } from '../runtime/backend.js';
import { onnxAvailability } from '../runtime/onnx-runtime.js';
import { benchBatchOverhead, type BatchOverheadResult } from './batch-bench.js';
import { benchDataDir, NO_BENCH_DATA } from './data-dir.js';
import { compareRuntimes, DEFAULTS, loadDefault, timeInference, type InferenceBench, type RuntimeComparison } from './inference-bench.js';
import { REFERENCE_PSNR, type ReferenceRow } from './reference.js';
import { benchTraining, FALLBACK_ARCH, type TrainingBench } from './training-bench.js';

export interface BenchOptions extends JobContext {
  /** 512x512 inference instead of 1024x1024, fewer training steps. */
  quick?: boolean;
  /** Benchmark data folder; undefined = MEND_DATA, or no eval when unset; null = skip the eval. */
  data?: string | null;
  /** Also time a batch of one-megapixel photos (issue: batch overhead under 10%); images count. */
  batchImages?: number;
}

export interface BenchEval {
  data: string;
  denoise: EvalResult<DenoiseEvalRow>[];
  inpaint: EvalResult<InpaintEvalRow>[];
  /** Published numbers for the sets evaluated (Set12, McMaster). */
  reference: ReferenceRow[];
}

export interface BenchResult {
  /** TensorFlow.js backend (training, and inference when the tfjs runtime runs it). */
  backend: string;
  backendDescription: string;
  /** The inference runtime the per-model timings used. */
  runtime: RuntimeName;
  runtimeDescription: string;
  runtimes: RuntimeComparison | null;
  quick: boolean;
  inference: InferenceBench[];
  training: TrainingBench;
  eval: BenchEval | null;
  batch: BatchOverheadResult | null;
  /** Things not measured, and why (no default model installed, no data...). */
  notes: string[];
  peakRssMB: number;
}

export async function runBench(opts: BenchOptions = {}): Promise<BenchResult> {
  const emit = opts.onEvent ?? (() => undefined);
  const quick = opts.quick ?? false;
  const size = quick ? 512 : 1024;
  const notes: string[] = [];
  const stage = (detail: string, done: number, total: number): void =>
    emit({ type: 'progress', stage: 'bench', done, total, detail });
  // Checked first: a mistyped folder fails at once, not after minutes of timing.
  const data = opts.data === null ? undefined : benchDataDir(opts.data);

  // Inference: every shipped model (the issue asks for FLOPs/px and MP/s of each) on its own kind
  // of image, defaults first, and each default on the kind it is the default for (a grey model
  // can be the colour default).
  const inference: InferenceBench[] = [];
  const registry = readRegistry();
  const defaultIds = new Set(DEFAULTS.map((d) => registry.defaults[d.task]?.[d.kind]).filter((id) => id !== undefined));
  for (const d of DEFAULTS) {
    if (!registry.defaults[d.task]?.[d.kind]) notes.push(`inference ${d.kind} ${d.task}: no default model in the registry`);
  }
  const entries = [...registry.models].sort((a, b) => Number(defaultIds.has(b.id)) - Number(defaultIds.has(a.id)));
  for (const [i, entry] of entries.entries()) {
    throwIfCancelled(opts.signal);
    let loaded: LoadedModel;
    try {
      loaded = await loadModelFolder(path.join(shippedModelsDir(), entry.path));
    } catch (e) {
      if (!(e instanceof MendError)) throw e;
      notes.push(`inference ${entry.id}: ${e.message}`);
      continue;
    }
    const kinds = new Set([loaded.card.channels, ...defaultChannels(registry, loaded.card.task, entry.id)]);
    stage(`inference ${loaded.card.id} ${size}x${size}`, i, entries.length);
    for (const channels of [...kinds].sort((a, b) => b - a)) {
      inference.push({ ...(await timeInference(loaded, size, opts.signal, channels)), isDefault: defaultIds.has(entry.id) });
    }
    stage(`inference ${loaded.card.id} ${size}x${size}`, i + 1, entries.length);
  }

  // Both runtimes on the default colour model, against the machine's sgemm.
  const colour = await loadDefault('denoise', 'color');
  let runtimes: RuntimeComparison | null = null;
  if (typeof colour === 'string') notes.push(`runtime comparison: ${colour}`);
  else {
    runtimes = await compareRuntimes(colour, size, opts.signal, (detail, done, total) => stage(detail, done, total));
    if (!runtimes.onnx) notes.push(`runtime comparison: ONNX Runtime is not available (${onnxAvailability().reason})`);
  }
  const active = await inferenceRuntime();

  // Training throughput of the default colour denoiser's architecture.
  let archModel: string | null = null;
  let arch = FALLBACK_ARCH;
  if (typeof colour === 'string') notes.push(`training: ${colour}; timed the default \`mend train\` architecture instead`);
  else {
    archModel = colour.card.id;
    arch = colour.card.arch;
  }
  const trained = await benchTraining(arch, {
    warmup: quick ? 1 : 2,
    steps: quick ? 2 : 4,
    signal: opts.signal,
    onStep: (done, total) => stage('training steps (batch 16, patch 64)', done, total),
  });
  const training: TrainingBench = { model: archModel, ...trained };

  // Quality on the benchmark sets.
  let evalResult: BenchEval | null = null;
  if (opts.data === null) notes.push('eval: skipped (--no-eval)');
  else if (!data) notes.push(NO_BENCH_DATA);
  else {
    evalResult = { data, denoise: [], inpaint: [], reference: [] };
    const job = { signal: opts.signal, onEvent: opts.onEvent };
    for (const [set, kind] of [['Set12', 'gray'], ['McMaster', 'color']] as const) {
      const dir = path.join(data, 'bench', set);
      if (!existsSync(dir)) {
        notes.push(`eval ${set}: ${dir} not found`);
        continue;
      }
      const model = await loadDefault('denoise', kind);
      if (typeof model === 'string') {
        notes.push(`eval ${set}: ${model}`);
        continue;
      }
      evalResult.denoise.push(await evaluateDenoise({ ...job, data: dir, sigmas: [...BENCH_SIGMAS], seed: 0, model: model.card.id }));
      evalResult.reference.push(...REFERENCE_PSNR.filter((r) => r.set === set));
    }
    const images = path.join(data, 'bench', 'McMaster');
    const masks = path.join(data, 'bench', 'masks', 'McMaster');
    const inpainter = await loadDefault('inpaint', 'color');
    if (!existsSync(images) || !existsSync(masks)) notes.push(`eval inpaint: ${masks} not found`);
    else if (typeof inpainter === 'string') notes.push(`eval inpaint: ${inpainter}`);
    else evalResult.inpaint.push(await evaluateInpaint({ ...job, data: images, masks, model: inpainter.card.id }));
  }

  let batch: BatchOverheadResult | null = null;
  if (opts.batchImages) {
    batch = await benchBatchOverhead({ images: opts.batchImages, signal: opts.signal, onEvent: opts.onEvent });
  } else notes.push('batch overhead: not run (add --batch N to time a batch of N one-megapixel photos)');

  const backend = backendStatus()?.active ?? (tf.getBackend() as 'cpu');
  return {
    backend,
    backendDescription: describeBackend(backend),
    runtime: active.active,
    runtimeDescription: describeRuntime(active),
    runtimes,
    quick,
    inference,
    training,
    eval: evalResult,
    batch,
    notes,
    // maxRSS is in kilobytes.
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
