/**
 * Whole-mask work off the main thread: grow, shrink and invert (linear-time, but a 24 MP mask
 * is still tens of millions of pixels), PNG encode/decode, and the red overlay bitmap the
 * viewer draws. Uses the same pure functions the unit tests check.
 */
import {
  countOn, fullRect, growMask, invertMask, maskFromRgba, maskToGreyRgba, maskToRgba, shrinkMask, type Mask,
} from './mask.js';
import type { MaskRequest, MaskResponse } from './mask-ops.js';

// The renderer's tsconfig has the DOM library, not the worker one: name the two members used.
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<MaskRequest>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

async function overlayOf(m: Mask): Promise<ImageBitmap> {
  const rgba = maskToRgba(m, fullRect(m));
  return createImageBitmap(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, m.width, m.height));
}

async function handle(req: MaskRequest): Promise<{ res: MaskResponse; transfer: Transferable[] }> {
  const mask: Mask | undefined = req.data ? { width: req.width, height: req.height, data: req.data } : undefined;
  switch (req.op) {
    case 'grow':
    case 'shrink':
    case 'invert':
    case 'overlay': {
      const out = req.op === 'grow' ? growMask(mask!, req.radius ?? 1)
        : req.op === 'shrink' ? shrinkMask(mask!, req.radius ?? 1)
        : req.op === 'invert' ? invertMask(mask!)
        : mask!;
      const overlay = await overlayOf(out);
      const res: MaskResponse = { id: req.id, data: out.data, count: countOn(out), overlay };
      return { res, transfer: [out.data.buffer, overlay] };
    }
    case 'encode': {
      const canvas = new OffscreenCanvas(req.width, req.height);
      const ctx = canvas.getContext('2d')!;
      ctx.putImageData(new ImageData(maskToGreyRgba(mask!) as Uint8ClampedArray<ArrayBuffer>, req.width, req.height), 0, 0);
      const blob = await canvas.convertToBlob({ type: 'image/png' });
      return { res: { id: req.id, blob, count: countOn(mask!) }, transfer: [] };
    }
    case 'decode': {
      const bitmap = await createImageBitmap(req.blob!);
      const canvas = new OffscreenCanvas(req.width, req.height);
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      // A mask of another size is stretched to the image; nearest-neighbour keeps it binary.
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(bitmap, 0, 0, req.width, req.height);
      const resized = bitmap.width !== req.width || bitmap.height !== req.height;
      bitmap.close();
      const m = maskFromRgba(ctx.getImageData(0, 0, req.width, req.height).data, req.width, req.height);
      const overlay = await overlayOf(m);
      return { res: { id: req.id, data: m.data, count: countOn(m), overlay, resized }, transfer: [m.data.buffer, overlay] };
    }
  }
}

scope.onmessage = (e: MessageEvent<MaskRequest>) => {
  handle(e.data).then(
    ({ res, transfer }) => scope.postMessage(res, transfer),
    (err: unknown) => scope.postMessage({ id: e.data.id, error: err instanceof Error ? err.message : String(err) } satisfies MaskResponse),
  );
};
