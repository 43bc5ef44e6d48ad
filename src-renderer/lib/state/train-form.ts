/**
 * The Train page's form and run state as plain data: the choices and their explanations,
 * restoring saved choices, form -> TrainJobSpec with validation, and folding training events
 * into chart series. No runes, so it is unit-tested; the page keeps these objects in $state.
 */
import type {
  AutoencoderVariant, ImageId, ImageInfo, JobStreamEvent, TrainJobSpec, TrainResult,
} from '../../../src-main/shared/api.js';
import type { Point } from '../charts/scale.js';
import type { RunPhase, SpecResult } from './batch-form.js';

export type TrainArch = TrainJobSpec['arch'];
export type TrainNoise = 'gaussian' | 'poisson-gaussian' | 'salt-pepper' | 'damage';

export const ARCHITECTURES: { id: TrainArch; label: string; hint: string }[] = [
  { id: 'residual', label: 'Residual', hint: 'DnCNN-like: predicts the noise and subtracts it. Fastest to train, keeps fine detail.' },
  { id: 'unet', label: 'U-Net', hint: 'Encoder-decoder with skip connections: most work at low resolution, wide receptive field.' },
  { id: 'autoencoder', label: 'Autoencoder', hint: 'Pure bottleneck, no skip connections: shows what the code keeps; loses fine detail.' },
];

export const VARIANTS: { id: AutoencoderVariant; label: string; hint: string }[] = [
  { id: 'undercomplete', label: 'Undercomplete', hint: 'Bottleneck only: the code is smaller than the input, so it must keep just the structure.' },
  { id: 'sparse-l1', label: 'Sparse (L1)', hint: 'Most code units stay silent: an L1 penalty on the code activations.' },
  { id: 'sparse-kl', label: 'Sparse (KL)', hint: 'Most code units stay silent: each unit\'s mean activation is pulled to a small target.' },
  { id: 'denoising', label: 'Denoising', hint: 'Learns to undo corruption: noisy (or damaged) input, clean target.' },
  { id: 'contractive', label: 'Contractive', hint: 'The code is insensitive to small input changes: a penalty on the encoder\'s Jacobian.' },
];

export const NOISES: { id: TrainNoise; label: string; hint: string }[] = [
  { id: 'gaussian', label: 'Gaussian', hint: 'Sigma on the 0-255 scale, drawn per patch from the range: one model for every strength.' },
  { id: 'poisson-gaussian', label: 'Poisson-Gaussian', hint: 'Camera-like: variance a·y + b grows with brightness (shot noise plus read noise).' },
  { id: 'salt-pepper', label: 'Salt and pepper', hint: 'A fraction p of pixels set to black or white (dead and hot pixels).' },
  { id: 'damage', label: 'Holes (inpainting)', hint: 'Random strokes, scratches and dust to fill: trains an inpainting model.' },
];

export const variantUsesLambda = (v: AutoencoderVariant): boolean => v === 'sparse-l1' || v === 'sparse-kl' || v === 'contractive';
export const variantUsesNoise = (v: AutoencoderVariant): boolean => v === 'denoising';

export interface TrainForm {
  source: 'folder' | 'images';
  folder: string;
  arch: TrainArch;
  variant: AutoencoderVariant;
  lambda: number;
  noise: TrainNoise;
  sigmaMin: number;
  sigmaMax: number;
  /** Poisson-Gaussian a (signal-dependent) and b (constant) ranges, on the [0,1] scale. */
  pgAMin: number;
  pgAMax: number;
  pgBMin: number;
  pgBMax: number;
  /** Salt-and-pepper fraction range. */
  spMin: number;
  spMax: number;
  channels: 1 | 3;
  patch: number;
  steps: number;
  batch: number;
  name: string;
}

export const DEFAULT_TRAIN_FORM: TrainForm = {
  source: 'folder',
  folder: '',
  arch: 'residual',
  variant: 'denoising',
  lambda: 0.001,
  noise: 'gaussian',
  sigmaMin: 0,
  sigmaMax: 55,
  pgAMin: 0,
  pgAMax: 0.02,
  pgBMin: 0,
  pgBMax: 0.001,
  spMin: 0.01,
  spMax: 0.1,
  channels: 3,
  patch: 64,
  steps: 2000,
  batch: 16,
  name: '',
};

export const PATCH_MULTIPLE = 8;
export const LIMITS = {
  patch: [16, 512],
  steps: [1, 1_000_000],
  batch: [1, 256],
  lambda: [0, 100],
  nameLength: 60,
} as const;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const oneOf = <T extends string>(v: unknown, ids: readonly { id: T }[]): T | undefined =>
  ids.find((x) => x.id === v)?.id;

/** The saved choices (settings.train) over the defaults; wrong types fall back field by field. */
export function restoreTrainForm(saved: unknown): TrainForm {
  const f: TrainForm = { ...DEFAULT_TRAIN_FORM };
  if (!isObj(saved)) return f;
  if (saved.source === 'folder' || saved.source === 'images') f.source = saved.source;
  if (typeof saved.folder === 'string') f.folder = saved.folder;
  f.arch = oneOf(saved.arch, ARCHITECTURES) ?? f.arch;
  f.variant = oneOf(saved.variant, VARIANTS) ?? f.variant;
  f.noise = oneOf(saved.noise, NOISES) ?? f.noise;
  if (saved.channels === 1 || saved.channels === 3) f.channels = saved.channels;
  if (typeof saved.name === 'string') f.name = saved.name;
  for (const k of ['lambda', 'sigmaMin', 'sigmaMax', 'pgAMin', 'pgAMax', 'pgBMin', 'pgBMax', 'spMin', 'spMax', 'patch', 'steps', 'batch'] as const) {
    const v = saved[k];
    if (typeof v === 'number' && Number.isFinite(v)) f[k] = v;
  }
  return f;
}

/** What the trained model will do, from the variant and the corruption. */
export function trainTask(form: Pick<TrainForm, 'variant' | 'noise'>): 'denoise' | 'inpaint' | 'reconstruct' {
  if (!variantUsesNoise(form.variant)) return 'reconstruct';
  return form.noise === 'damage' ? 'inpaint' : 'denoise';
}

/** A number as `mend train --noise` reads it (plain decimal or exponent, no sign). */
function specNumber(v: number): string {
  const s = String(v);
  return s.includes('e') ? v.toExponential().replace('+', '') : s;
}

function specRange(lo: number, hi: number): string {
  return lo === hi ? specNumber(lo) : `${specNumber(lo)}-${specNumber(hi)}`;
}

/** The training corruption as `mend train --noise` takes it, e.g. "gaussian:0-55". */
export function noiseSpec(form: TrainForm): string {
  switch (form.noise) {
    case 'gaussian':
      return `gaussian:${specRange(form.sigmaMin, form.sigmaMax)}`;
    case 'poisson-gaussian':
      return `poisson-gaussian:${specRange(form.pgAMin, form.pgAMax)},${specRange(form.pgBMin, form.pgBMax)}`;
    case 'salt-pepper':
      return `salt-pepper:${specRange(form.spMin, form.spMax)}`;
    case 'damage':
      return 'damage';
  }
}

export type TrainField = 'data' | 'name' | 'patch' | 'steps' | 'batch' | 'lambda' | 'noise';

const isInt = (v: number, lo: number, hi: number): boolean => Number.isInteger(v) && v >= lo && v <= hi;

function rangeError(lo: number, hi: number, max: number, what: string, unit = ''): string | undefined {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo < 0 || hi < 0) return `${what} must be numbers of 0 or more.`;
  if (hi > max) return `${what} must be at most ${max}${unit}.`;
  if (lo > hi) return `${what}: the minimum is above the maximum.`;
  return undefined;
}

export interface TrainInputs {
  /** Workspace images chosen as training data (when the source is 'images'). */
  images: ImageId[];
  resume?: boolean;
}

/** Checks the form and builds the job; every refusal says what to change. */
export function buildTrainSpec(form: TrainForm, inputs: TrainInputs): SpecResult<TrainJobSpec, TrainField> {
  const errors: Partial<Record<TrainField, string>> = {};
  const name = form.name.trim();
  if (form.source === 'folder' && form.folder.trim() === '') errors.data = 'Choose a folder of training images.';
  if (form.source === 'images' && inputs.images.length === 0) errors.data = 'Choose at least one loaded image to train on.';
  if (name === '') errors.name = 'Name the model (it appears under this name in every model picker).';
  else if (name.length > LIMITS.nameLength) errors.name = `Keep the name to ${LIMITS.nameLength} characters or fewer.`;
  else if (!/[\p{L}\p{N}]/u.test(name)) errors.name = 'The name needs at least one letter or digit.';
  const [pLo, pHi] = LIMITS.patch;
  if (!isInt(form.patch, pLo, pHi)) errors.patch = `Patch size must be a whole number from ${pLo} to ${pHi} pixels.`;
  else if (form.patch % PATCH_MULTIPLE !== 0) {
    errors.patch = `Patch size must be a multiple of ${PATCH_MULTIPLE} (the networks halve it up to three times); try ${Math.max(pLo, Math.round(form.patch / PATCH_MULTIPLE) * PATCH_MULTIPLE)}.`;
  }
  const [sLo, sHi] = LIMITS.steps;
  if (!isInt(form.steps, sLo, sHi)) errors.steps = `Steps must be a whole number from ${sLo} to ${sHi.toLocaleString('en')}.`;
  const [bLo, bHi] = LIMITS.batch;
  if (!isInt(form.batch, bLo, bHi)) errors.batch = `Batch must be a whole number from ${bLo} to ${bHi}.`;
  if (variantUsesLambda(form.variant) && !(Number.isFinite(form.lambda) && form.lambda >= LIMITS.lambda[0] && form.lambda <= LIMITS.lambda[1])) {
    errors.lambda = `Lambda must be a number from ${LIMITS.lambda[0]} to ${LIMITS.lambda[1]}.`;
  }
  if (variantUsesNoise(form.variant)) {
    let e: string | undefined;
    if (form.noise === 'gaussian') e = rangeError(form.sigmaMin, form.sigmaMax, 255, 'Sigma');
    else if (form.noise === 'poisson-gaussian') {
      e = rangeError(form.pgAMin, form.pgAMax, 1, 'Poisson a') ?? rangeError(form.pgBMin, form.pgBMax, 1, 'Gaussian b');
      if (!e && form.pgAMax === 0 && form.pgBMax === 0) e = 'Poisson-Gaussian noise needs a or b above 0.';
    } else if (form.noise === 'salt-pepper') {
      e = rangeError(form.spMin, form.spMax, 1, 'The salt-and-pepper fraction');
      if (!e && form.spMax === 0) e = 'The salt-and-pepper fraction must be above 0.';
    }
    if (e) errors.noise = e;
  }
  const messages = Object.values(errors);
  if (messages.length > 0) return { ok: false, errors, message: messages[0]! };

  const spec: TrainJobSpec = {
    type: 'train',
    name,
    arch: form.arch,
    variant: form.variant,
    channels: form.channels,
    patch: form.patch,
    steps: form.steps,
    batch: form.batch,
  };
  if (form.source === 'folder') spec.paths = [form.folder.trim()];
  else spec.images = [...inputs.images];
  if (variantUsesLambda(form.variant)) spec.lambda = form.lambda;
  if (variantUsesNoise(form.variant)) spec.noise = noiseSpec(form);
  if (inputs.resume) spec.resume = true;
  return { ok: true, spec };
}

// ---- Run state ------------------------------------------------------------------------------

export interface TrainRun {
  phase: RunPhase;
  name: string;
  /** Current step and the run's target. */
  step: number;
  totalSteps: number;
  batch: number;
  loss: Point[];
  val: Point[];
  lastLoss?: number;
  lastVal?: number;
  patchesPerSecond?: number;
  etaSeconds?: number;
  /** Reading the training images: done/total. */
  loading?: { done: number; total: number };
  status: string;
  samples?: { step: number; images: ImageInfo[] };
  result?: TrainResult;
  error?: string;
  startedAt: number;
}

export function newTrainRun(spec: Pick<TrainJobSpec, 'name' | 'steps' | 'batch'>, previous?: TrainRun, now = Date.now()): TrainRun {
  // A resumed run of the same model keeps the curves it drew before.
  const keep = previous && previous.name === spec.name && previous.phase !== 'idle';
  return {
    phase: 'starting',
    name: spec.name,
    step: keep ? previous.step : 0,
    totalSteps: spec.steps,
    batch: spec.batch ?? 16,
    loss: keep ? previous.loss : [],
    val: keep ? previous.val : [],
    lastLoss: keep ? previous.lastLoss : undefined,
    lastVal: keep ? previous.lastVal : undefined,
    samples: keep ? previous.samples : undefined,
    status: 'Starting…',
    startedAt: now,
  };
}

export const IDLE_TRAIN_RUN: TrainRun = {
  phase: 'idle', name: '', step: 0, totalSteps: 0, batch: 16, loss: [], val: [], status: '', startedAt: 0,
};

/** Longest series kept: past it every other point is dropped (the chart shows ~600 anyway). */
export const MAX_SERIES = 8000;

/** Appends a point, replacing one at the same x (a repeated event) and thinning past `cap`. */
export function appendPoint(series: Point[], p: Point, cap = MAX_SERIES): Point[] {
  if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) return series;
  const last = series[series.length - 1];
  let out: Point[];
  if (last && p.x <= last.x) {
    // Older or repeated step: drop the points at or past it (a resumed run starts again there).
    out = series.filter((q) => q.x < p.x);
    out.push(p);
  } else {
    out = [...series, p];
  }
  if (out.length > cap) {
    const lastPoint = out[out.length - 1];
    out = out.filter((_, i) => i % 2 === 0);
    if (out[out.length - 1] !== lastPoint) out.push(lastPoint);
  }
  return out;
}

/** Folds one job event into the run (returns a new object). */
export function reduceTrainEvent(run: TrainRun, e: JobStreamEvent): TrainRun {
  const r: TrainRun = { ...run };
  if (e.type === 'samples') {
    r.samples = { step: e.step, images: e.images };
    return r;
  }
  if (e.type !== 'progress') return r;
  if (r.phase === 'starting') r.phase = 'running';
  if (e.stage === 'load') {
    r.loading = { done: e.done, total: e.total };
    r.status = `Reading training images ${e.done}/${e.total}`;
    return r;
  }
  if (e.stage !== 'train') {
    r.status = e.detail ?? `${e.stage}…`;
    return r;
  }
  const m = e.metrics ?? {};
  const step = typeof m.step === 'number' && Number.isFinite(m.step) ? m.step : e.done;
  r.loading = undefined;
  r.step = step;
  if (e.total > 0) r.totalSteps = e.total;
  r.etaSeconds = e.etaSeconds;
  r.status = 'Training';
  if (typeof m.loss === 'number' && Number.isFinite(m.loss)) {
    r.loss = appendPoint(r.loss, { x: step, y: m.loss });
    r.lastLoss = m.loss;
  }
  // Validation runs every few steps; events in between repeat the last value.
  if (typeof m.valPsnr === 'number' && Number.isFinite(m.valPsnr)) {
    const last = r.val[r.val.length - 1];
    if (!last || last.y !== m.valPsnr || step < last.x) r.val = appendPoint(r.val, { x: step, y: m.valPsnr });
    r.lastVal = m.valPsnr;
  }
  if (typeof m.patchesPerSecond === 'number' && Number.isFinite(m.patchesPerSecond)) r.patchesPerSecond = m.patchesPerSecond;
  return r;
}

export function finishTrainRun(run: TrainRun, result: TrainResult): TrainRun {
  return {
    ...run,
    phase: result.cancelled ? 'cancelled' : 'completed',
    step: result.steps,
    lastVal: Number.isFinite(result.valPsnr) ? result.valPsnr : run.lastVal,
    patchesPerSecond: result.patchesPerSecond,
    etaSeconds: undefined,
    loading: undefined,
    status: result.cancelled ? `Stopped at step ${result.steps}` : `Finished ${result.steps} steps`,
    result,
  };
}

export function failTrainRun(run: TrainRun, message: string, cancelled: boolean): TrainRun {
  return {
    ...run,
    phase: cancelled ? 'cancelled' : 'failed',
    error: cancelled ? undefined : message,
    etaSeconds: undefined,
    loading: undefined,
    status: cancelled ? `Stopped at step ${run.step}` : 'Failed',
  };
}

/** Training steps per second from patches per second. */
export function stepsPerSecond(run: Pick<TrainRun, 'patchesPerSecond' | 'batch'>): number | undefined {
  return run.patchesPerSecond !== undefined && run.batch > 0 ? run.patchesPerSecond / run.batch : undefined;
}

/**
 * How to show the sample images of a 'samples' event: one montage (the engine tiles the
 * patches as rows of clean | corrupted | output, each patch square), or separate images in
 * (clean, corrupted, output) triples, one row each.
 */
export type SampleLayout =
  | { kind: 'montage'; image: ImageInfo; patches: number }
  | { kind: 'triples'; rows: ImageInfo[][] };

export function sampleLayout(images: ImageInfo[]): SampleLayout | undefined {
  if (images.length === 0) return undefined;
  if (images.length === 1) {
    const img = images[0];
    const side = img.width / 3;
    if (Number.isInteger(side) && side > 0 && img.height % side === 0) return { kind: 'montage', image: img, patches: img.height / side };
  }
  const rows: ImageInfo[][] = [];
  for (let i = 0; i + 2 < images.length; i += 3) rows.push(images.slice(i, i + 3));
  // Not a multiple of 3: show what there is as one row rather than nothing.
  if (rows.length === 0) rows.push(images.slice());
  return { kind: 'triples', rows };
}
