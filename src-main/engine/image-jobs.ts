/**
 * The one-image jobs: denoise, inpaint, anomaly, corrupt. Each decodes its workspace image, runs
 * the same core function the CLI runs, and stores the outputs as new workspace images.
 */
import type {
  AnomalyJob, AnomalyResult, CorruptJob, CorruptResult, DenoiseJob, DenoiseResult, InpaintJob, InpaintResult, JobStreamEvent,
} from '../shared/api.js';
import { addNoise, describeNoise, parseNoiseSpec } from '../core/corrupt/noise.js';
import { applyDamage, makeDamageMask, maskFraction } from '../core/corrupt/damage.js';
import { Rng } from '../core/math/rng.js';
import { anomalyMap, heatmap } from '../core/infer/anomaly.js';
import { denoiseRaster } from '../core/infer/denoise.js';
import { checkAutoSigma } from '../core/metrics/small-images.js';
import { inpaintRaster } from '../core/infer/inpaint.js';
import { throwIfCancelled } from '../core/jobs/cancel.js';
import { psnr } from '../core/metrics/psnr.js';
import { ssim } from '../core/metrics/ssim.js';
import { resolveModel } from '../core/models/registry.js';
import { EngineError } from '../host/errors.js';
import { PSNR_CAP } from './image-ops.js';
import { checkModelId } from './models.js';
import { runRawDenoise } from './raw-images.js';
import { stemOf, type Workspace } from './workspace.js';

export interface JobRuntime {
  ws: Workspace;
  signal: AbortSignal;
  emit(e: JobStreamEvent): void;
}

const seconds = (t0: number): number => (performance.now() - t0) / 1000;

export async function runDenoise(spec: DenoiseJob, rt: JobRuntime): Promise<DenoiseResult> {
  const t0 = performance.now();
  // A camera RAW photo is denoised in the raw domain (its mosaic, before demosaicing), read from
  // its file: decoding its preview first would cost seconds for nothing.
  const original = await rt.ws.get(spec.image);
  if (original.info.raw && original.info.role === 'original') return runRawDenoise(spec, original, rt);
  const { stored, image } = await rt.ws.decode(spec.image);
  const auto = spec.sigma === 'auto';
  const model = await resolveModel(await checkModelId(spec.model), 'denoise', image.raster.channels);
  // The blind level is read here, with the model (infer/noise-level.ts): camera noise needs the
  // network's response, which the white-noise estimate made when the image arrived cannot give.
  if (auto) checkAutoSigma(stored.info.name, image.raster);
  const res = await denoiseRaster(image.raster, model, {
    sigma: auto ? 'auto' : (spec.sigma as number), amount: auto ? spec.amount : undefined, detail: spec.detail,
    strength: 1, passes: spec.passes ?? 1, signal: rt.signal, onEvent: rt.emit,
  });
  throwIfCancelled(rt.signal);
  const info = await rt.ws.addResult({
    name: `${stemOf(stored.info.name)}-denoised.png`, role: 'denoised', parent: stored.info.id,
    raster: res.output, alpha: image.alpha, bitDepth: stored.info.bitDepth,
  });
  return { type: 'denoise', image: info, model: model.card.id, sigma: res.sigma, amount: res.amount, estimated: auto, seconds: seconds(t0) };
}

export async function runInpaint(spec: InpaintJob, rt: JobRuntime): Promise<InpaintResult> {
  const t0 = performance.now();
  const { stored, image } = await rt.ws.decode(spec.image);
  const { width, height, channels } = image.raster;
  if (!spec.mask) throw new EngineError('usage', 'Inpainting needs a mask (white = fill)');
  const mask = await rt.ws.mask(spec.mask, width, height);
  let holes = 0;
  for (const m of mask) holes += m;
  const model = await resolveModel(await checkModelId(spec.model), 'inpaint', channels);
  const exclude = spec.exclude ? await rt.ws.mask(spec.exclude, width, height) : undefined;
  const filled = await inpaintRaster(image.raster, mask, model, {
    signal: rt.signal, onEvent: rt.emit, grain: spec.grain ?? true, synthesis: spec.synthesis ?? true, exclude, seed: spec.seed,
  });
  throwIfCancelled(rt.signal);
  const info = await rt.ws.addResult({
    name: `${stemOf(stored.info.name)}-inpainted.png`, role: 'inpainted', parent: stored.info.id,
    raster: filled, alpha: image.alpha, bitDepth: stored.info.bitDepth,
  });
  return { type: 'inpaint', image: info, model: model.card.id, maskedPixels: holes, seconds: seconds(t0) };
}

export async function runAnomaly(spec: AnomalyJob, rt: JobRuntime): Promise<AnomalyResult> {
  const { stored, image } = await rt.ws.decode(spec.image);
  const { width, height, channels } = image.raster;
  const threshold = spec.threshold ?? 6;
  const model = await resolveModel(await checkModelId(spec.model), 'denoise', channels);
  const res = await anomalyMap(image.raster, model, { threshold, signal: rt.signal, onEvent: rt.emit });
  throwIfCancelled(rt.signal);
  // Opaque from the cut-off up, fading out below half of it: laid over the photo, only what is
  // unusual shows.
  const alpha = new Float32Array(width * height);
  for (let p = 0; p < alpha.length; p++) alpha[p] = Math.min(1, Math.max(0, (2 * res.error[p]!) / Math.max(res.cutoff, 1e-6) - 1));
  const stem = stemOf(stored.info.name);
  const map = await rt.ws.addResult({
    name: `${stem}-anomaly.png`, role: 'heatmap', parent: stored.info.id, raster: heatmap(res.error, width, height, res.cutoff), alpha, bitDepth: 8,
  });
  const mask = await rt.ws.addMask(`${stem}-anomaly-mask.png`, stored.info.id, res.mask, width, height);
  let flagged = 0;
  for (const m of res.mask) flagged += m;
  return { type: 'anomaly', heatmap: map, mask, flaggedPixels: flagged };
}

/** Same stream offset as `mend corrupt`, so one seed gives the same damage in both. */
const DAMAGE_STREAM = 0x5bd1e995;

export async function runCorrupt(spec: CorruptJob, rt: JobRuntime): Promise<CorruptResult> {
  const { stored, image } = await rt.ws.decode(spec.image);
  const noise = spec.noise ? parseNoiseSpec(spec.noise) : undefined;
  if (!noise && !spec.damage) throw new EngineError('usage', 'Nothing to do: choose noise, damage or both');
  const seed = spec.seed ?? 1;
  const clean = image.raster;
  let raster = clean;
  const steps: string[] = [];
  if (noise) {
    raster = addNoise(raster, noise, new Rng(seed));
    steps.push(describeNoise(noise));
  }
  let damage: Uint8Array | undefined;
  if (spec.damage) {
    throwIfCancelled(rt.signal);
    const rng = new Rng(seed + DAMAGE_STREAM);
    damage = makeDamageMask(spec.damage, raster.width, raster.height, rng);
    raster = applyDamage(raster, damage, rng);
    steps.push(`${spec.damage} over ${(maskFraction(damage) * 100).toFixed(1)}% of pixels`);
  }
  throwIfCancelled(rt.signal);
  // Out-of-range noise is clipped, as it would be in any file.
  for (let i = 0; i < raster.data.length; i++) raster.data[i] = Math.min(1, Math.max(0, raster.data[i]!));
  rt.emit({ type: 'log', level: 'info', message: `Added ${steps.join(', ')}` });
  const stem = stemOf(stored.info.name);
  const info = await rt.ws.addResult({
    name: `${stem}-corrupted.png`, role: 'corrupted', parent: stored.info.id, raster, alpha: image.alpha,
    bitDepth: stored.info.bitDepth, estimateNoise: true,
  });
  const mask = damage ? await rt.ws.addMask(`${stem}-damage-mask.png`, info.id, damage, raster.width, raster.height) : undefined;
  return {
    type: 'corrupt',
    image: info,
    ...(mask ? { mask } : {}),
    comparison: { psnr: Math.min(PSNR_CAP, psnr(clean, raster)), ssim: ssim(clean, raster) },
  };
}
