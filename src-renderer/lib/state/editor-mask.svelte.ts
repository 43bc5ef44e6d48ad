/**
 * The inpainting mask of each photo: a byte per pixel (canvas/mask.ts), its undo history, and
 * a canvas at image resolution holding the red overlay the viewer draws. Brush strokes update
 * only the rectangle they touch; whole-mask operations run in the mask worker.
 */
import { api, type ImageId, type ImageInfo } from '../api';
import {
  createMask, fullRect, maskToRgba, stampBrush, strokeSegment, unionRect, type BrushMode, type Mask, type Rect,
} from '../canvas/mask';
import { applyPatch, createMaskHistory, makePatch, type MaskPatch, UndoStack } from '../canvas/history';
import { decodeMaskImage, encodeMaskPng, transformMask, type MaskResult } from '../canvas/mask-ops';
import { stemOf } from '../canvas/files';
import { addImageInfo } from './images.svelte';
import { errorMessage, notify } from './toasts.svelte';
import { getSession, onSessionRemoved } from './editor.svelte';

export type Tool = 'hand' | 'brush' | 'eraser';
/**
 * Which mask the brush paints: what to fill (red), or where the fill must not copy texture from
 * (green: the "don't copy from here" brush of object removal; InpaintJob.exclude).
 */
export type MaskLayer = 'fill' | 'exclude';

interface MaskDoc {
  id: ImageId;
  layer: MaskLayer;
  mask: Mask;
  history: UndoStack<MaskPatch>;
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  /** Bumped on every change; an upload is reused while it matches. */
  changes: number;
  /** False only when the mask is known to be empty. */
  maybeEmpty: boolean;
  uploaded?: { changes: number; info: ImageInfo };
}

const docs = new Map<ImageId, MaskDoc>();
const excludeDocs = new Map<ImageId, MaskDoc>();
/** The masks of a layer (default: the one the brush paints now). */
const docsOf = (layer: MaskLayer = maskUi.layer): Map<ImageId, MaskDoc> => (layer === 'exclude' ? excludeDocs : docs);
/** Overlay colour of the exclude layer (the fill layer's is canvas/mask.ts MASK_RGB). */
const EXCLUDE_RGB = [40, 200, 90] as const;

export const maskUi = $state({
  /** Bumped on every mask change anywhere: the viewer redraws, buttons re-check. */
  revision: 0,
  canUndo: false,
  canRedo: false,
  /** A worker operation is running. */
  busy: false,
  /** The selected photo has a mask with something in it (as far as is known). */
  hasPaint: false,
  tool: 'hand' as Tool,
  layer: 'fill' as MaskLayer,
  /** The selected photo's exclude mask has something in it (as far as is known). */
  hasExclude: false,
  visible: true,
  /** Pixels that will be filled, when last counted (after whole-mask operations). */
  count: -1,
});

let shown: ImageId | null = null;

onSessionRemoved((id) => {
  docs.delete(id);
  excludeDocs.delete(id);
  if (shown === id) refresh(null);
});

function refresh(id: ImageId | null = shown): void {
  shown = id;
  const doc = id ? docsOf().get(id) : undefined;
  maskUi.canUndo = !!doc?.history.canUndo;
  maskUi.canRedo = !!doc?.history.canRedo;
  const fill = id ? docs.get(id) : undefined;
  maskUi.hasPaint = !!fill && !fill.maybeEmpty;
  const exclude = id ? excludeDocs.get(id) : undefined;
  maskUi.hasExclude = !!exclude && !exclude.maybeEmpty;
  maskUi.revision++;
}

/** Call when the selected photo changes. */
export function showMaskOf(id: ImageId | null): void {
  refresh(id);
}

/** Switches the layer the brush and the mask buttons work on; the viewer shows that layer. */
export function setMaskLayer(layer: MaskLayer): void {
  if (stroke || maskUi.busy) return;
  maskUi.layer = layer;
  refresh();
}

/** The overlay canvas of the layer being painted, for the viewer (undefined until something was painted or loaded). */
export function maskCanvas(id: ImageId | null): HTMLCanvasElement | undefined {
  return id ? docsOf().get(id)?.canvas : undefined;
}

function ensureDoc(id: ImageId): MaskDoc | undefined {
  const docs = docsOf();
  const existing = docs.get(id);
  if (existing) return existing;
  const s = getSession(id);
  if (!s) return undefined;
  const { width, height } = s.original;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d')!;
  const doc: MaskDoc = { id, layer: maskUi.layer, mask: createMask(width, height), history: createMaskHistory(), canvas, ctx, changes: 0, maybeEmpty: true };
  docs.set(id, doc);
  return doc;
}

function paintOverlay(doc: MaskDoc, r: Rect): void {
  const rgba = maskToRgba(doc.mask, r);
  if (doc.layer === 'exclude') for (let o = 0; o < rgba.length; o += 4) rgba.set(EXCLUDE_RGB, o);
  doc.ctx.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, r.w, r.h), r.x, r.y);
}

function setOverlay(doc: MaskDoc, bitmap: ImageBitmap): void {
  doc.ctx.clearRect(0, 0, doc.canvas.width, doc.canvas.height);
  doc.ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  if (doc.layer === 'exclude') {
    // The worker draws overlays in the fill colour: recolour what it drew, keeping its alpha.
    doc.ctx.globalCompositeOperation = 'source-in';
    doc.ctx.fillStyle = `rgb(${EXCLUDE_RGB.join(',')})`;
    doc.ctx.fillRect(0, 0, doc.canvas.width, doc.canvas.height);
    doc.ctx.globalCompositeOperation = 'source-over';
  }
}

/** Redraws the overlay after an undo/redo; big rectangles go through the worker. */
async function repaint(doc: MaskDoc, r: Rect): Promise<void> {
  if (r.w * r.h <= 2_000_000) {
    paintOverlay(doc, r);
    return;
  }
  const res = await transformMask('overlay', doc.mask);
  setOverlay(doc, res.overlay);
  refresh();
}

function changed(doc: MaskDoc, maybeEmpty = false): void {
  doc.changes++;
  doc.maybeEmpty = maybeEmpty;
  if (doc.id === shown) refresh();
}

// ---- Brush ------------------------------------------------------------------------------

let stroke: { doc: MaskDoc; before: Uint8Array; x: number; y: number; dirty: Rect | null; mode: BrushMode; radius: number; softness: number } | null = null;

export function strokeStart(id: ImageId, x: number, y: number, mode: BrushMode, radius: number, softness: number): void {
  if (maskUi.busy) return;
  const doc = ensureDoc(id);
  if (!doc) return;
  stroke = { doc, before: doc.mask.data.slice(), x, y, dirty: null, mode, radius, softness };
  const r = stampBrush(doc.mask, x, y, radius, softness, mode);
  if (r) {
    stroke.dirty = r;
    paintOverlay(doc, r);
  }
  maskUi.revision++;
}

export function strokeMove(x: number, y: number): void {
  if (!stroke) return;
  const s = stroke;
  const r = strokeSegment(s.doc.mask, s.x, s.y, x, y, s.radius, s.softness, s.mode);
  s.x = x;
  s.y = y;
  if (r) {
    s.dirty = unionRect(s.dirty, r);
    paintOverlay(s.doc, r);
    maskUi.revision++;
  }
}

export function strokeEnd(): void {
  if (!stroke) return;
  const s = stroke;
  stroke = null;
  if (!s.dirty) return;
  s.doc.history.push(makePatch(s.before, s.doc.mask, s.dirty));
  // Erasing may or may not empty the mask; only painting is known to leave something.
  changed(s.doc, s.mode === 'erase' ? s.doc.maybeEmpty : false);
}

// ---- History ----------------------------------------------------------------------------

export async function undoMask(id: ImageId | null): Promise<void> {
  const doc = id ? docsOf().get(id) : undefined;
  if (!doc || maskUi.busy || stroke) return;
  const p = doc.history.undo();
  if (!p) return;
  applyPatch(doc.mask, p, 'before');
  changed(doc, false);
  await repaint(doc, p.rect);
}

export async function redoMask(id: ImageId | null): Promise<void> {
  const doc = id ? docsOf().get(id) : undefined;
  if (!doc || maskUi.busy || stroke) return;
  const p = doc.history.redo();
  if (!p) return;
  applyPatch(doc.mask, p, 'after');
  changed(doc, false);
  await repaint(doc, p.rect);
}

// ---- Whole-mask operations --------------------------------------------------------------

async function replace(id: ImageId, produce: (doc: MaskDoc) => Promise<MaskResult>, what: string): Promise<MaskResult | undefined> {
  if (maskUi.busy) return undefined;
  const doc = ensureDoc(id);
  if (!doc) return undefined;
  maskUi.busy = true;
  try {
    const res = await produce(doc);
    const before = doc.mask.data.slice();
    doc.mask.data.set(res.mask.data);
    doc.history.push(makePatch(before, doc.mask, fullRect(doc.mask)));
    setOverlay(doc, res.overlay);
    maskUi.count = res.count;
    changed(doc, res.count === 0);
    return res;
  } catch (e) {
    notify('error', `Could not ${what}: ${errorMessage(e)}`);
    return undefined;
  } finally {
    maskUi.busy = false;
  }
}

export function growOrShrink(id: ImageId, op: 'grow' | 'shrink', radius: number): Promise<MaskResult | undefined> {
  return replace(id, (doc) => transformMask(op, doc.mask, radius), `${op} the mask`);
}

export function invert(id: ImageId): Promise<MaskResult | undefined> {
  return replace(id, (doc) => transformMask('invert', doc.mask), 'invert the mask');
}

export function clear(id: ImageId): Promise<MaskResult | undefined> {
  return replace(
    id,
    async (doc) => {
      const m = createMask(doc.mask.width, doc.mask.height);
      return { mask: m, count: 0, overlay: await createImageBitmap(new ImageData(1, 1)), resized: false };
    },
    'clear the mask',
  );
}

/** Loads a mask file the user picked (white = fill), stretched to the photo if it differs. */
export async function importMaskFile(id: ImageId, file: Blob): Promise<void> {
  const s = getSession(id);
  if (!s) return;
  const res = await replace(id, () => decodeMaskImage(file, s.original.width, s.original.height), 'read the mask');
  if (res?.resized) notify('info', 'The mask was another size and was stretched to fit the photo');
}

/** Loads a mask the engine made (a damage or anomaly mask). */
export async function loadMaskImage(id: ImageId, mask: ImageInfo): Promise<void> {
  const s = getSession(id);
  if (!s) return;
  setMaskLayer('fill');
  await replace(
    id,
    async () => {
      const res = await fetch(api.imageUrl(mask.id, 'view'), { credentials: 'omit' });
      if (!res.ok) throw new Error(`the engine answered ${res.status}`);
      return decodeMaskImage(await res.blob(), s.original.width, s.original.height);
    },
    'load the mask',
  );
}

/** Saves the mask as a grey PNG (white = fill) through a download. */
export async function exportMask(id: ImageId): Promise<void> {
  const doc = docsOf().get(id);
  const s = getSession(id);
  if (!doc || !s) return;
  try {
    const { blob } = await encodeMaskPng(doc.mask);
    const href = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = href;
    a.download = `${stemOf(s.original.name)}.mask.png`;
    a.style.display = 'none';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 30_000);
  } catch (e) {
    notify('error', `Could not save the mask: ${errorMessage(e)}`);
  }
}

/**
 * The mask as a workspace image for an inpaint job; undefined (with a message) when nothing
 * is painted. Reuses the last upload while the mask has not changed since. The exclude layer
 * is optional: undefined, silently, when it holds nothing.
 */
export async function uploadMask(id: ImageId, layer: MaskLayer = 'fill'): Promise<ImageInfo | undefined> {
  const doc = docsOf(layer).get(id);
  const s = getSession(id);
  if (layer === 'exclude' && (!doc || doc.maybeEmpty)) return undefined;
  if (!doc || !s || doc.maybeEmpty) {
    notify('info', 'Paint over the area to fill first (or use Suggest mask)');
    return undefined;
  }
  if (doc.uploaded && doc.uploaded.changes === doc.changes) return doc.uploaded.info;
  const changesAtStart = doc.changes;
  const { blob, count } = await encodeMaskPng(doc.mask);
  if (layer === 'fill') maskUi.count = count;
  if (count === 0) {
    doc.maybeEmpty = true;
    refresh();
    if (layer === 'fill') notify('info', 'The mask is empty: paint over the area to fill first');
    return undefined;
  }
  const uploaded = await api.addImage(`${stemOf(s.original.name)}.${layer === 'exclude' ? 'exclude' : 'mask'}.png`, blob);
  const info: ImageInfo = { ...uploaded, role: 'mask', parent: id };
  addImageInfo(info);
  doc.uploaded = { changes: changesAtStart, info };
  return info;
}
