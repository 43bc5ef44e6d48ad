/**
 * The field schemas every request is built from (valibot): ids, names, paths, numbers in range.
 * Each carries the words a refusal uses, so a refused request reads as one short line
 * ("the request.spec.sigma must be from 0 to 255"). Pure TypeScript and valibot: the renderer,
 * the preload, main, the server and the engine all import it.
 */
import * as v from 'valibot';

/** Longest path a request may carry (Linux PATH_MAX; Windows long paths are shorter). */
export const MAX_PATH_LENGTH = 4096;
/** Longest file or model name. */
export const MAX_NAME_LENGTH = 255;
/** Workspace image and job ids (host/layout.ts makes them): 8-64 of [A-Za-z0-9_-], no path characters at all. */
export const WORKSPACE_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
/** Where a batch writes when it has no output folder: `workspace:<job id>` (host/layout.ts). */
export const WORKSPACE_OUT_PREFIX = 'workspace:';

const noNul = v.check((s: string) => !s.includes('\0'), 'contains a NUL character');

/** Text of at most `max` characters, without NUL; `min` 1 = not empty. */
export function text(max: number, opts: { min?: number; pattern?: RegExp } = {}) {
  return v.pipe(
    v.string(),
    v.maxLength(max, `is longer than ${max} characters`),
    noNul,
    v.minLength(opts.min ?? 0, opts.min === 1 ? 'is empty' : `is shorter than ${opts.min} characters`),
    v.regex(opts.pattern ?? /^/, 'has characters that are not allowed'),
  );
}

/** A finite number from `min` to `max` (a whole number with `integer`). */
export function num(min: number, max: number, opts: { integer?: boolean } = {}) {
  const range = `must be ${opts.integer ? 'a whole number' : 'a number'} from ${min} to ${max}`;
  return v.pipe(
    v.number(),
    v.finite(range),
    v.check((n: number) => !opts.integer || Number.isInteger(n), 'must be a whole number'),
    v.minValue(min, range),
    v.maxValue(max, range),
  );
}

export const workspaceId = v.pipe(v.string(), v.regex(WORKSPACE_ID_PATTERN, 'is not a valid id'));
/** A model id: the registry's slugs (letters, digits, dot, dash, underscore). */
export const modelId = text(128, { min: 1, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/ });
/** A file name shown to the user (the engine makes it safe for the disk). */
export const fileName = text(MAX_NAME_LENGTH, { min: 1 });
/** A filesystem path; the host checks it against what the user granted (desktop) or the roots (web). */
export const fsPath = text(MAX_PATH_LENGTH, { min: 1 });
/** A noise or corruption spec as the CLI takes it ("gaussian:25", "gaussian:0-55"). */
export const noiseSpec = text(200, { min: 1 });
/** Noise level on the 0-255 scale, or estimated. */
export const sigma = v.union([v.literal('auto'), num(0, 255)], 'must be "auto" or a number from 0 to 255');
export const seed = num(0, 2 ** 32, { integer: true });
export const fraction = num(0, 1);
export const quality = num(1, 100, { integer: true });
export const bitDepth = v.picklist([8, 16] as const, 'must be 8 or 16');
export const lambda = num(0, 1e6);
/** Network passes over turned and mirrored copies, averaged (core/infer/ensemble.ts). */
export const passes = numberIn([1, 2, 4, 8]);
/** One of a few numbers, typed as a number (the interface computes them). */
export function numberIn(values: readonly number[]) {
  const words = `must be ${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
  return v.pipe(v.number(), v.check((n: number) => values.includes(n), words));
}
/** Up to `max` entries of `item`. */
export function listOf<T extends v.GenericSchema>(item: T, max: number) {
  return v.pipe(v.array(item), v.maxLength(max, `has more than ${max} entries`));
}

/** `workspace:<job id>` (a workspace batch folder) or a folder path. */
export const outDir = v.pipe(
  fsPath,
  v.check((s: string) => !s.startsWith(WORKSPACE_OUT_PREFIX) || WORKSPACE_ID_PATTERN.test(s.slice(WORKSPACE_OUT_PREFIX.length)), 'names no valid workspace folder'),
);

type Bytes = ArrayBuffer | ArrayBufferView;
const isBytes = (x: unknown): x is Bytes => x instanceof ArrayBuffer || ArrayBuffer.isView(x);
/** Bytes (an ArrayBuffer, what the preload sends, or a typed array) of at most `max`, as a Uint8Array. */
export function bytes(max: number) {
  return v.pipe(
    v.custom<Bytes>(isBytes, 'must be bytes'),
    v.transform((b: Bytes) => (b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength))),
    v.check((b: Uint8Array) => b.byteLength <= max, `is larger than ${Math.round(max / 1024 / 1024)} MB`),
  );
}
