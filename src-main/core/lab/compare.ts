/**
 * `mend lab compare`: the autoencoder variants (docs/models-and-benchmarks.md, "The autoencoder
 * lab") trained side by side on the same patches with the same code size, plus PCA as the
 * linear baseline, and measured the same way:
 *  - reconstruction error on held-out patches (and its PSNR in pixels),
 *  - code sparsity: the fraction of near-zero activations, and the mean activation (the KL
 *    variant's target rho),
 *  - contractiveness: the Frobenius norm of the encoder Jacobian dh/dx (exact for one layer),
 *  - denoising: PSNR of each model's output for noisy inputs.
 * The curves (error and Jacobian norm as training goes) are reported as progress events, so the
 * interface can draw them live.
 */
import type { JobContext } from '../../shared/jobs.js';
import { Rng } from '../math/rng.js';
import { throwIfCancelled, yieldToEventLoop } from '../jobs/cancel.js';
import { type Raster } from '../image/raster.js';
import type { CodeActivation } from '../models/architectures.js';
import { DenseAutoencoder, type DenseRegularizer, type DenseWeights } from './dense-ae.js';
import { contrastScale, cutPatches, fromContrast, labScenes, noisyCopy, patchPsnr, toContrast } from './patches.js';
import { fitPca, pcaDecode, pcaEncode, type Pca } from './pca.js';

// The report types are the API's (shared/api.ts); the core adds the raw arrays the hosts turn into images.
import type { LabCurvePoint, LabVariantId, LabVariantReport } from '../../shared/api.js';
export type { LabCurvePoint, LabVariantId };

export const LAB_VARIANT_IDS: readonly LabVariantId[] = ['pca', 'linear', 'undercomplete', 'sparse-l1', 'sparse-kl', 'denoising', 'contractive'];

export const LAB_LABELS: Record<LabVariantId, string> = {
  pca: 'PCA',
  linear: 'Linear autoencoder',
  undercomplete: 'Undercomplete',
  'sparse-l1': 'Sparse (L1)',
  'sparse-kl': 'Sparse (KL)',
  denoising: 'Denoising',
  contractive: 'Contractive',
};

/** Code activation of each variant: KL needs (0,1) activations; L1 gives real zeros with ReLU. */
const ACTIVATION: Record<Exclude<LabVariantId, 'pca'>, CodeActivation> = {
  linear: 'linear',
  undercomplete: 'sigmoid',
  'sparse-l1': 'relu',
  'sparse-kl': 'sigmoid',
  denoising: 'sigmoid',
  contractive: 'sigmoid',
};

/** An activation counts as near zero below this fraction of the 99th percentile of |h|. */
export const NEAR_ZERO = 0.05;
/** Sparse L1 aims for at least this fraction of near-zero activations. */
export const L1_SPARSITY_TARGET = 0.7;
/** KL reaches its target when the mean activation is within this relative distance of rho. */
export const KL_TOLERANCE = 0.5;

export interface LabCompareOptions extends JobContext {
  /** Training images (any channels; the lab uses luminance). Default: generated scenes. */
  images?: Raster[];
  /** Held-out images for the test patches; default: every 4th of `images` (or more scenes). */
  testImages?: Raster[];
  variants?: readonly LabVariantId[];
  patch?: number;
  code?: number;
  steps?: number;
  batch?: number;
  learningRate?: number;
  trainPatches?: number;
  testPatches?: number;
  /** Noise for the denoising variant and the denoising test, on the 0-255 scale. */
  noiseSigma?: number;
  l1Lambda?: number;
  klLambda?: number;
  rho?: number;
  contractiveLambda?: number;
  seed?: number;
  /** Patches shown as reconstructions. */
  samples?: number;
}

export type LabTarget = NonNullable<LabVariantReport['target']>;

export interface LabVariantResult extends Omit<LabVariantReport, 'filters' | 'reconstructions' | 'denoised'> {
  /** d x k encoder weights (column j = filter of unit j); PCA: the components. */
  filters: Float32Array;
  /** Reconstructions of the sample patches (pixels, samples x d). */
  reconstructions: Float32Array;
  /** Outputs for the noisy sample patches (pixels). */
  denoised: Float32Array;
  /** The trained model (absent for PCA). */
  weights?: DenseWeights;
}

export interface LabCompareResult {
  patch: number;
  code: number;
  trainPatches: number;
  testPatches: number;
  noiseSigma: number;
  /** PSNR of the noisy test patches themselves. */
  noisyPsnr: number;
  /** Divides patch values (after removing each patch's mean) before they enter a model. */
  contrastScale: number;
  pca: Pca;
  variants: LabVariantResult[];
  /** Sample patches, pixels (samples x d). */
  samples: { count: number; clean: Float32Array; noisy: Float32Array };
  /** The contractive variant against the undercomplete one at the same reconstruction error. */
  matched?: { mse: number; plainJacobian: number; contractiveJacobian: number };
  seconds: number;
}

/** Fraction of near-zero activations (|h| <= NEAR_ZERO * p99 |h|) and the mean activation. */
export function codeStats(h: Float32Array): { nearZero: number; mean: number } {
  const abs = Float32Array.from(h, Math.abs).sort();
  const p99 = abs[Math.min(abs.length - 1, Math.floor(0.99 * abs.length))] ?? 0;
  const cut = NEAR_ZERO * p99;
  let near = 0;
  let sum = 0;
  for (const v of h) {
    if (Math.abs(v) <= cut) near++;
    sum += v;
  }
  return { nearZero: h.length ? near / h.length : 0, mean: h.length ? sum / h.length : 0 };
}

const mean = (a: Float32Array): number => {
  let s = 0;
  for (const v of a) s += v;
  return a.length ? s / a.length : 0;
};

function mse(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s / Math.max(1, a.length);
}

/** Where a decreasing error curve first reaches `error`: the Jacobian norm there (interpolated). */
export function jacobianAtError(curve: LabCurvePoint[], error: number): number | undefined {
  for (let i = 0; i < curve.length; i++) {
    const p = curve[i]!;
    if (p.mse > error) continue;
    if (i === 0) return p.jacobian;
    const q = curve[i - 1]!;
    const t = (q.mse - error) / Math.max(1e-12, q.mse - p.mse);
    return q.jacobian + t * (p.jacobian - q.jacobian);
  }
  return undefined;
}

export async function runLabCompare(o: LabCompareOptions = {}): Promise<LabCompareResult> {
  const t0 = performance.now();
  const size = o.patch ?? 8;
  const d = size * size;
  const k = o.code ?? 16;
  const steps = o.steps ?? 2000;
  const batch = o.batch ?? 128;
  const lr = o.learningRate ?? 0.03;
  const seed = o.seed ?? 1;
  const nTrain = o.trainPatches ?? 20000;
  const nTest = o.testPatches ?? 2000;
  const sigma = (o.noiseSigma ?? 20) / 255;
  const rho = o.rho ?? 0.05;
  const lambdas = { 'sparse-l1': o.l1Lambda ?? 0.5, 'sparse-kl': o.klLambda ?? 1, contractive: o.contractiveLambda ?? 10 };
  const variants = (o.variants ?? LAB_VARIANT_IDS).filter((v, i, all) => LAB_VARIANT_IDS.includes(v) && all.indexOf(v) === i);
  if (k < 1 || k > d) throw new RangeError(`The code size must be from 1 to ${d} for ${size}x${size} patches`);
  const emit = o.onEvent ?? (() => undefined);

  // Data: train and test patches from different images, so the numbers are about generalising.
  let trainImages = o.images ?? labScenes(16, 160, seed);
  let testImages = o.testImages;
  if (!testImages) {
    if (o.images && o.images.length >= 4) {
      testImages = o.images.filter((_, i) => i % 4 === 3);
      trainImages = o.images.filter((_, i) => i % 4 !== 3);
    } else if (o.images) testImages = o.images;
    else testImages = labScenes(4, 160, seed + 7919);
  }
  emit({ type: 'progress', stage: 'lab-data', done: 0, total: 1, detail: 'cutting patches' });
  const train = cutPatches(trainImages, nTrain, size, seed);
  const test = cutPatches(testImages, nTest, size, seed + 1);
  const scale = contrastScale(train);
  const xTrain = toContrast(train.pixels, nTrain, d, scale).x;
  const { x: xTest, dc: dcTest } = toContrast(test.pixels, nTest, d, scale);
  const noisyPixels = noisyCopy(test.pixels, sigma, new Rng(seed + 2));
  const { x: xNoisy, dc: dcNoisy } = toContrast(noisyPixels, nTest, d, scale);
  const noisyPsnr = patchPsnr(test.pixels, noisyPixels);
  // The curves use a fixed part of the test set (cheap to evaluate every few steps).
  const nCurve = Math.min(nTest, 500);
  const xCurve = xTest.subarray(0, nCurve * d);
  // Sample patches to show: spread over the more textured half of the test patches (flat ones
  // look the same rebuilt by any model).
  const sampleCount = Math.min(nTest, o.samples ?? 12);
  const contrast = Array.from({ length: nTest }, (_, s) => {
    let v = 0;
    for (let i = 0; i < d; i++) v += xTest[s * d + i]! ** 2;
    return { s, v };
  }).sort((a, b) => b.v - a.v);
  const sampleIdx = Array.from({ length: sampleCount }, (_, i) => contrast[Math.floor((i * nTest) / (2 * sampleCount))]!.s);
  const pick = (a: Float32Array): Float32Array => {
    const out = new Float32Array(sampleCount * d);
    sampleIdx.forEach((s, i) => out.set(a.subarray(s * d, (s + 1) * d), i * d));
    return out;
  };
  const samples = { count: sampleCount, clean: pick(test.pixels), noisy: pick(noisyPixels) };
  const pixelsOf = (x: Float32Array, dc: Float32Array, n: number): Float32Array => fromContrast(x, dc, n, d, scale);

  const pca = fitPca(xTrain, nTrain, d, k);
  const results: LabVariantResult[] = [];
  const trained = variants.filter((v) => v !== 'pca');
  const total = trained.length * steps;
  let base = 0;
  const tTrain = performance.now();

  for (const id of variants) {
    throwIfCancelled(o.signal);
    const v0 = performance.now();
    if (id === 'pca') {
      const h = pcaEncode(pca, xTest, nTest);
      const rec = pcaDecode(pca, h, nTest);
      const den = pcaDecode(pca, pcaEncode(pca, xNoisy, nTest), nTest);
      const stats = codeStats(h);
      const filters = new Float32Array(d * k);
      for (let j = 0; j < k; j++) for (let i = 0; i < d; i++) filters[i * k + j] = pca.components[j * d + i]!;
      const recPixels = pixelsOf(rec, dcTest, nTest);
      const denPixels = pixelsOf(den, dcNoisy, nTest);
      const m = mse(rec, xTest);
      results.push({
        id, label: LAB_LABELS[id], activation: 'linear', steps: 0, seconds: (performance.now() - v0) / 1000,
        mse: m, psnr: patchPsnr(test.pixels, recPixels), nearZero: stats.nearZero, meanActivation: stats.mean,
        // Orthonormal components: the Jacobian is the k x d projection, norm sqrt(k) everywhere.
        jacobian: Math.sqrt(k), denoisePsnr: patchPsnr(test.pixels, denPixels),
        curve: [{ step: 0, loss: m, mse: m, jacobian: Math.sqrt(k) }], filters,
        reconstructions: pick(recPixels), denoised: pick(denPixels),
      });
      await yieldToEventLoop();
      continue;
    }
    const activation = ACTIVATION[id];
    const regularizer: DenseRegularizer =
      id === 'sparse-l1' ? { kind: 'l1', lambda: lambdas['sparse-l1'] }
      : id === 'sparse-kl' ? { kind: 'kl', lambda: lambdas['sparse-kl'], rho }
      : id === 'contractive' ? { kind: 'contractive', lambda: lambdas.contractive }
      : { kind: 'none' };
    // Every variant starts from the same weights and sees the same batches.
    const ae = new DenseAutoencoder({ dim: d, code: k, activation }, seed + 11);
    const curve: LabCurvePoint[] = [];
    const evalCurve = (step: number, loss: number): LabCurvePoint => {
      const p = { step, loss, mse: mse(ae.reconstruct(xCurve, nCurve), xCurve), jacobian: mean(ae.jacobianNorms(xCurve, nCurve)) };
      curve.push(p);
      return p;
    };
    evalCurve(0, NaN);
    try {
      await ae.train({
        x: xTrain, n: nTrain, regularizer, inputNoise: id === 'denoising' ? sigma / scale : undefined,
        steps, batch, learningRate: lr, seed: seed + 13, signal: o.signal, reportEvery: Math.max(10, Math.round(steps / 40)),
        onReport: (step, loss) => {
          const p = evalCurve(step, loss);
          const elapsed = (performance.now() - tTrain) / 1000;
          emit({
            type: 'progress', stage: 'lab', done: base + step, total, detail: LAB_LABELS[id],
            etaSeconds: (elapsed / Math.max(1, base + step)) * (total - base - step),
            metrics: { variant: LAB_VARIANT_IDS.indexOf(id), step, loss, mse: p.mse, jacobian: p.jacobian },
          });
        },
      });
      const h = ae.encode(xTest, nTest);
      const rec = ae.reconstruct(xTest, nTest);
      const den = ae.reconstruct(xNoisy, nTest);
      const stats = codeStats(h);
      const recPixels = pixelsOf(rec, dcTest, nTest);
      const denPixels = pixelsOf(den, dcNoisy, nTest);
      const weights = ae.weights();
      const lambda = id === 'sparse-l1' || id === 'sparse-kl' || id === 'contractive' ? lambdas[id] : undefined;
      const target: LabTarget | undefined =
        id === 'sparse-l1' ? { kind: 'near-zero', value: L1_SPARSITY_TARGET, reached: stats.nearZero >= L1_SPARSITY_TARGET }
        : id === 'sparse-kl' ? { kind: 'mean-activation', value: rho, reached: Math.abs(stats.mean - rho) <= KL_TOLERANCE * rho }
        : undefined;
      results.push({
        id, label: LAB_LABELS[id], activation, ...(lambda !== undefined ? { lambda } : {}), ...(id === 'sparse-kl' ? { rho } : {}),
        steps, seconds: (performance.now() - v0) / 1000, mse: mse(rec, xTest), psnr: patchPsnr(test.pixels, recPixels),
        nearZero: stats.nearZero, meanActivation: stats.mean, jacobian: mean(ae.jacobianNorms(xTest, nTest)),
        denoisePsnr: patchPsnr(test.pixels, denPixels), ...(target ? { target } : {}), curve, filters: weights.encoder,
        reconstructions: pick(recPixels), denoised: pick(denPixels), weights,
      });
    } finally {
      ae.dispose();
    }
    base += steps;
  }

  const plain = results.find((r) => r.id === 'undercomplete');
  const cae = results.find((r) => r.id === 'contractive');
  let matched: LabCompareResult['matched'];
  if (plain && cae) {
    // The curves are on the first nCurve test patches: compare on that scale.
    const caeErr = cae.curve[cae.curve.length - 1]!.mse;
    const plainJ = jacobianAtError(plain.curve, caeErr) ?? plain.curve[plain.curve.length - 1]!.jacobian;
    matched = { mse: caeErr, plainJacobian: plainJ, contractiveJacobian: cae.curve[cae.curve.length - 1]!.jacobian };
  }
  return {
    patch: size, code: k, trainPatches: nTrain, testPatches: nTest, noiseSigma: sigma * 255, noisyPsnr, contrastScale: scale, pca,
    variants: results, samples, ...(matched ? { matched } : {}), seconds: (performance.now() - t0) / 1000,
  };
}
