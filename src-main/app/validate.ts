/**
 * Payload validation for every IPC channel (ipc-contract.ts). The renderer is treated as
 * untrusted: a payload is accepted only when it has exactly the expected shape. Anything else
 * is refused with an EngineError 'usage' before a handler sees it:
 *
 *  - only plain objects (prototype Object.prototype or null) and real arrays; class instances,
 *    functions and getters never get through;
 *  - no unknown keys, and never `__proto__`, `constructor` or `prototype` (prototype pollution);
 *  - strings with a length cap and no NUL; numbers finite and in range; enums from fixed lists;
 *  - workspace ids and job ids match the engine's id format (no path characters at all);
 *  - byte payloads are ArrayBuffers (or typed arrays) under the upload limit.
 *
 * Small combinators instead of a schema library: each check is a function (value, where) => T.
 * Pure TypeScript, no electron, so it is tested directly (test/unit/app/validate.test.ts).
 */
import {
  LIMITS, type AutoencoderVariant, type BatchJobSpec, type CorruptJob, type DamageKind, type ExportOptions, type JobSpec, type LabVariantId,
  type TrainJobSpec,
} from '../shared/api.js';
import { EngineError } from '../engine/errors.js';
import { isWorkspaceId } from '../engine/layout.js';
import type { InvokeChannel, InvokePayloads } from './ipc-contract.js';

export type Check<T> = (value: unknown, at: string) => T;

/** Longest path a payload may carry (Linux PATH_MAX; Windows long paths are shorter). */
export const MAX_PATH_LENGTH = 4096;
/** Longest file or model name. */
export const MAX_NAME_LENGTH = 255;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function refuse(at: string, why: string): never {
  throw new EngineError('usage', `Refused a request from the window: ${at} ${why}`);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

export const str = (max: number, opts: { min?: number; pattern?: RegExp } = {}): Check<string> => (v, at) => {
  if (typeof v !== 'string') return refuse(at, `must be text, got ${describe(v)}`);
  if (v.length < (opts.min ?? 0)) return refuse(at, opts.min === 1 ? 'is empty' : `is shorter than ${opts.min} characters`);
  if (v.length > max) return refuse(at, `is longer than ${max} characters`);
  if (v.includes('\0')) return refuse(at, 'contains a NUL character');
  if (opts.pattern && !opts.pattern.test(v)) return refuse(at, 'has characters that are not allowed');
  return v;
};

export const num = (min: number, max: number, opts: { integer?: boolean } = {}): Check<number> => (v, at) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) return refuse(at, `must be a number, got ${describe(v)}`);
  if (opts.integer && !Number.isInteger(v)) return refuse(at, 'must be a whole number');
  if (v < min || v > max) return refuse(at, `must be from ${min} to ${max}`);
  return v;
};

export const bool: Check<boolean> = (v, at) => (typeof v === 'boolean' ? v : refuse(at, `must be true or false, got ${describe(v)}`));

export const oneOf = <T extends string | number>(...values: T[]): Check<T> => (v, at) =>
  (values as unknown[]).includes(v) ? (v as T) : refuse(at, `must be one of ${values.join(', ')}`);

export const optional = <T>(c: Check<T>): Check<T | undefined> => (v, at) => (v === undefined ? undefined : c(v, at));

export const either = <A, B>(a: Check<A>, b: Check<B>): Check<A | B> => (v, at) => {
  try {
    return a(v, at);
  } catch {
    return b(v, at);
  }
};

export const arrayOf = <T>(c: Check<T>, max: number): Check<T[]> => (v, at) => {
  if (!Array.isArray(v) || Object.getPrototypeOf(v) !== Array.prototype) return refuse(at, `must be a list, got ${describe(v)}`);
  if (v.length > max) return refuse(at, `has more than ${max} entries`);
  const out: T[] = [];
  for (let i = 0; i < v.length; i++) {
    if (!Object.prototype.hasOwnProperty.call(v, i)) return refuse(`${at}[${i}]`, 'is missing');
    out.push(c(v[i], `${at}[${i}]`));
  }
  return out;
};

type Shape = Record<string, Check<unknown>>;
type FromShape<S extends Shape> = { [K in keyof S as undefined extends ReturnType<S[K]> ? never : K]: ReturnType<S[K]> } & {
  [K in keyof S as undefined extends ReturnType<S[K]> ? K : never]?: Exclude<ReturnType<S[K]>, undefined>;
};

/** A plain object with exactly these keys (optional ones may be missing or undefined). */
export const object = <S extends Shape>(shape: S): Check<FromShape<S>> => (v, at) => {
  if (!isPlainObject(v)) return refuse(at, `must be an object, got ${describe(v)}`);
  const out: Record<string, unknown> = {};
  for (const key of Reflect.ownKeys(v)) {
    if (typeof key !== 'string') return refuse(at, 'has a symbol key');
    if (FORBIDDEN_KEYS.has(key)) return refuse(at, `has the forbidden key "${key}"`);
    if (!Object.prototype.hasOwnProperty.call(shape, key)) return refuse(at, `has an unexpected key "${key.slice(0, 40)}"`);
    const d = Object.getOwnPropertyDescriptor(v, key)!;
    if (!('value' in d)) return refuse(`${at}.${key}`, 'is an accessor');
  }
  for (const [key, check] of Object.entries(shape)) {
    const value = check(Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined, `${at}.${key}`);
    if (value !== undefined) out[key] = value;
  }
  return out as FromShape<S>;
};

/** Bytes from the window: an ArrayBuffer (what the preload sends) or a typed array view. */
export const bytes = (max: number): Check<Uint8Array> => (v, at) => {
  let b: Uint8Array;
  if (v instanceof ArrayBuffer) b = new Uint8Array(v);
  else if (ArrayBuffer.isView(v)) b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  else return refuse(at, `must be bytes, got ${describe(v)}`);
  if (b.byteLength > max) return refuse(at, `is larger than ${Math.round(max / 1024 / 1024)} MB`);
  return b;
};

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : typeof v;
}

// ---- Field checks ---------------------------------------------------------------------------

/** A workspace image or job id (engine/layout.ts): 8-64 of [A-Za-z0-9_-], nothing else. */
export const workspaceId: Check<string> = (v, at) => (isWorkspaceId(v) ? v : refuse(at, 'is not a valid id'));
/** A model id: the registry's slugs (letters, digits, dot, dash, underscore). */
export const modelId = str(128, { min: 1, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/ });
/** A file name shown to the user (the engine makes it safe for the disk). */
export const fileName = str(MAX_NAME_LENGTH, { min: 1 });
/** An absolute or relative filesystem path; main checks it against what the user granted (grants.ts). */
export const fsPath = str(MAX_PATH_LENGTH, { min: 1 });
const sigma = either(num(0, 255), oneOf('auto' as const));
const spec = str(200, { min: 1 });

const denoiseJob = object({ type: oneOf('denoise'), image: workspaceId, model: optional(modelId), sigma });
const inpaintJob = object({ type: oneOf('inpaint'), image: workspaceId, mask: workspaceId, model: optional(modelId), grain: optional(bool) });
const anomalyJob = object({ type: oneOf('anomaly'), image: workspaceId, model: optional(modelId), threshold: optional(num(0, 1000)) });
const corruptJob = object({
  type: oneOf('corrupt'), image: workspaceId, noise: optional(spec), damage: optional(oneOf<DamageKind>('scratches', 'dust', 'blobs')),
  seed: optional(num(0, 2 ** 32, { integer: true })),
});
/** `workspace:<job id>` (a workspace batch folder) or a folder path. */
const outDir: Check<string> = (v, at) => {
  const s = fsPath(v, at);
  if (s.startsWith('workspace:') && !isWorkspaceId(s.slice('workspace:'.length))) return refuse(at, 'names no valid workspace folder');
  return s;
};
const batchJob = object({
  type: oneOf('batch'), images: optional(arrayOf(workspaceId, 100_000)), paths: optional(arrayOf(fsPath, 1000)),
  outDir: optional(outDir), recursive: optional(bool), task: oneOf('denoise', 'inpaint'), model: optional(modelId),
  sigma: optional(sigma), strength: optional(num(0, 1)), mask: optional(workspaceId),
  format: optional(oneOf('same', 'jpeg', 'png', 'tiff', 'webp', 'avif', 'heif')), quality: optional(num(1, 100, { integer: true })),
  depth: optional(oneOf(8, 16)), keepMetadata: optional(bool), skipExisting: optional(bool),
});
const trainJob = object({
  type: oneOf('train'), paths: optional(arrayOf(fsPath, 100)), images: optional(arrayOf(workspaceId, 100_000)),
  name: str(100, { min: 1 }), arch: oneOf('residual', 'unet', 'autoencoder'),
  variant: oneOf<AutoencoderVariant>('undercomplete', 'sparse-l1', 'sparse-kl', 'denoising', 'contractive'),
  lambda: optional(num(0, 1e6)), noise: optional(spec), channels: oneOf(1, 3), patch: num(8, 1024, { integer: true }),
  steps: num(1, 1_000_000, { integer: true }), batch: optional(num(1, 1024, { integer: true })), resume: optional(bool),
});

// The autoencoder lab (issue 8).
const labVariant = oneOf<LabVariantId>('pca', 'linear', 'undercomplete', 'sparse-l1', 'sparse-kl', 'denoising', 'contractive');
const labCompareJob = object({
  type: oneOf('lab-compare'), paths: optional(arrayOf(fsPath, 100)), images: optional(arrayOf(workspaceId, 100_000)),
  variants: optional(arrayOf(labVariant, 7)), patch: optional(oneOf(8, 12, 16)), code: optional(num(1, 256, { integer: true })),
  steps: optional(num(1, 100_000, { integer: true })), noiseSigma: optional(num(0, 255)), l1Lambda: optional(num(0, 1e6)),
  klLambda: optional(num(0, 1e6)), rho: optional(num(0, 1)), contractiveLambda: optional(num(0, 1e6)),
  seed: optional(num(0, 2 ** 32, { integer: true })),
});
const labCodesJob = object({ type: oneOf('lab-codes'), lab: workspaceId, variant: labVariant, image: workspaceId });
const dustJob = object({
  type: oneOf('dust'), paths: optional(arrayOf(fsPath, 100_000)), images: optional(arrayOf(workspaceId, 100_000)),
  sensitivity: optional(num(0.5, 100)), darkening: optional(num(0, 1)),
});
const similarIndexJob = object({
  type: oneOf('similar-index'), path: optional(fsPath), images: optional(arrayOf(workspaceId, 100_000)), retrain: optional(bool),
  groupDistance: optional(num(0, 2)),
});
const similarFindJob = object({
  type: oneOf('similar-find'), index: fsPath, key: optional(str(MAX_PATH_LENGTH, { min: 1 })), image: optional(workspaceId),
  path: optional(fsPath), k: optional(num(1, 1000, { integer: true })),
});

const JOBS: Record<JobSpec['type'], Check<unknown>> = {
  denoise: denoiseJob, inpaint: inpaintJob, anomaly: anomalyJob, corrupt: corruptJob, batch: batchJob, train: trainJob,
  'lab-compare': labCompareJob, 'lab-codes': labCodesJob, dust: dustJob, 'similar-index': similarIndexJob, 'similar-find': similarFindJob,
};

export const jobSpec: Check<JobSpec> = (v, at) => {
  if (!isPlainObject(v)) return refuse(at, `must be an object, got ${describe(v)}`);
  const type = Object.prototype.hasOwnProperty.call(v, 'type') ? v.type : undefined;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(JOBS, type)) return refuse(`${at}.type`, `must be one of ${Object.keys(JOBS).join(', ')}`);
  return JOBS[type as JobSpec['type']](v, at) as JobSpec;
};

export const exportOptions = object({
  image: workspaceId, base: optional(workspaceId), strength: optional(num(0, 1)), source: optional(workspaceId),
  format: oneOf('jpeg', 'png', 'tiff', 'webp', 'avif'), quality: optional(num(1, 100, { integer: true })), depth: optional(oneOf(8, 16)),
  keepMetadata: bool, fileName: str(MAX_NAME_LENGTH),
}) satisfies Check<ExportOptions>;

const empty = object({});
const upload = bytes(LIMITS.maxUploadBytes);

/** One check per channel: what main accepts from the window. */
const PAYLOADS: { [C in InvokeChannel]: Check<InvokePayloads[C]> } = {
  'mend:info': empty,
  'mend:add-image-bytes': object({ name: fileName, data: upload }) as unknown as Check<InvokePayloads['mend:add-image-bytes']>,
  'mend:add-image-file': object({ name: fileName, path: fsPath }),
  'mend:open-path': object({ path: fsPath }),
  'mend:remove-image': object({ id: workspaceId }),
  'mend:compare': object({ reference: workspaceId, image: workspaceId, mask: optional(workspaceId) }),
  'mend:browse': object({ path: optional(fsPath) }),
  'mend:job-start': object({ id: workspaceId, spec: jobSpec }),
  'mend:job-control': object({ id: workspaceId, action: oneOf('cancel', 'pause', 'resume') }),
  'mend:export-image': object({ opts: exportOptions }),
  'mend:list-models': empty,
  'mend:model-details': object({ id: modelId }),
  'mend:rename-model': object({ id: modelId, name: str(100, { min: 1 }) }),
  'mend:delete-model': object({ id: modelId }),
  'mend:import-model-bytes': object({ name: fileName, data: upload }) as unknown as Check<InvokePayloads['mend:import-model-bytes']>,
  'mend:import-model-file': object({ name: fileName, path: fsPath }),
  'mend:export-model': object({ id: modelId }),
  'mend:choose-folder': object({ purpose: oneOf('input', 'output', 'train') }),
  'mend:ready': empty,
};

/** What a validated payload is: bytes arrive as Uint8Array whatever the window sent. */
export type Validated<C extends InvokeChannel> = C extends 'mend:add-image-bytes' | 'mend:import-model-bytes'
  ? { name: string; data: Uint8Array }
  : InvokePayloads[C];

export function isInvokeChannel(c: unknown): c is InvokeChannel {
  return typeof c === 'string' && Object.prototype.hasOwnProperty.call(PAYLOADS, c);
}

/** The payload of `channel` if it has exactly the expected shape; throws EngineError 'usage' otherwise. */
export function validatePayload<C extends InvokeChannel>(channel: C, payload: unknown): Validated<C> {
  if (!isInvokeChannel(channel)) refuse('the channel', 'is unknown');
  return PAYLOADS[channel](payload ?? {}, 'the request') as Validated<C>;
}

/** Checks kept for tests and for other hosts (the same limits as the job types in shared/api.ts). */
export const CHECKS = { batchJob: batchJob as Check<BatchJobSpec>, trainJob: trainJob as Check<TrainJobSpec>, corruptJob: corruptJob as Check<CorruptJob> };
