/**
 * Client of the mask worker: whole-mask operations as promises. The caller keeps its mask;
 * the worker gets a copy and sends back a new one, so the brush stays usable meanwhile.
 */
import type { Mask } from './mask.js';

export type MaskOp = 'grow' | 'shrink' | 'invert' | 'overlay' | 'encode' | 'decode';

export interface MaskRequest {
  id: number;
  op: MaskOp;
  width: number;
  height: number;
  data?: Uint8Array;
  radius?: number;
  blob?: Blob;
}

export interface MaskResponse {
  id: number;
  error?: string;
  data?: Uint8Array;
  count?: number;
  overlay?: ImageBitmap;
  blob?: Blob;
  /** decode: the file was another size and was stretched to the image. */
  resized?: boolean;
}

export interface MaskResult {
  mask: Mask;
  /** Pixels the engine will fill (>= 128). */
  count: number;
  /** The red overlay of the new mask at image resolution. */
  overlay: ImageBitmap;
  resized: boolean;
}

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve: (r: MaskResponse) => void; reject: (e: Error) => void }>();

function getWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('./mask-worker.ts', import.meta.url), { type: 'module', name: 'mask' });
  worker.onmessage = (e: MessageEvent<MaskResponse>) => {
    const w = waiting.get(e.data.id);
    if (!w) return;
    waiting.delete(e.data.id);
    if (e.data.error) w.reject(new Error(e.data.error));
    else w.resolve(e.data);
  };
  worker.onerror = (e) => {
    const err = new Error(e.message || 'The mask worker stopped');
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
    worker?.terminate();
    worker = null;
  };
  return worker;
}

function call(req: Omit<MaskRequest, 'id'>): Promise<MaskResponse> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    const transfer: Transferable[] = req.data ? [req.data.buffer] : [];
    getWorker().postMessage({ ...req, id }, transfer);
  });
}

function toResult(r: MaskResponse, width: number, height: number): MaskResult {
  return { mask: { width, height, data: r.data! }, count: r.count ?? 0, overlay: r.overlay!, resized: !!r.resized };
}

/** Grow, shrink, invert, or just the overlay of `m` (a copy goes to the worker). */
export async function transformMask(op: 'grow' | 'shrink' | 'invert' | 'overlay', m: Mask, radius = 1): Promise<MaskResult> {
  const r = await call({ op, width: m.width, height: m.height, data: m.data.slice(), radius });
  return toResult(r, m.width, m.height);
}

/** The mask as a grey PNG (white = fill), and how many pixels it fills. */
export async function encodeMaskPng(m: Mask): Promise<{ blob: Blob; count: number }> {
  const r = await call({ op: 'encode', width: m.width, height: m.height, data: m.data.slice() });
  return { blob: r.blob!, count: r.count ?? 0 };
}

/** Reads a mask image (white = fill) at width x height. */
export async function decodeMaskImage(blob: Blob, width: number, height: number): Promise<MaskResult> {
  const r = await call({ op: 'decode', width, height, blob });
  return toResult(r, width, height);
}
