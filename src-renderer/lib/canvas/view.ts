/**
 * The viewer's geometry: where an image sits on the canvas. Pure functions so that zooming,
 * fitting and panning can be unit-tested without a DOM.
 *
 * A view maps image pixel (ix, iy) to canvas pixel (x + ix * scale, y + iy * scale). Canvas
 * pixels are device pixels, so scale 1 is "100%": one image pixel on one screen pixel.
 */
export interface View {
  scale: number;
  x: number;
  y: number;
}

export const MIN_SCALE = 1 / 64;
export const MAX_SCALE = 32;

/** The zoom levels the +/- keys and buttons step through (as scales). */
export const ZOOM_STEPS = [
  1 / 32, 1 / 16, 1 / 12, 1 / 8, 1 / 6, 1 / 4, 1 / 3, 1 / 2, 2 / 3, 1, 3 / 2, 2, 3, 4, 6, 8, 12, 16, 24, 32,
];

export function clampScale(scale: number): number {
  if (!Number.isFinite(scale) || scale <= 0) return 1;
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
}

/** The whole image centred in a viewport of vw x vh with `pad` pixels free on each side. */
export function fitView(imgW: number, imgH: number, vw: number, vh: number, pad = 0): View {
  if (imgW <= 0 || imgH <= 0 || vw <= 0 || vh <= 0) return { scale: 1, x: 0, y: 0 };
  const aw = Math.max(1, vw - 2 * pad);
  const ah = Math.max(1, vh - 2 * pad);
  const scale = clampScale(Math.min(aw / imgW, ah / imgH));
  return centeredView(imgW, imgH, vw, vh, scale);
}

/** The image at `scale`, centred; offsets are whole pixels so 100% lands on the pixel grid. */
export function centeredView(imgW: number, imgH: number, vw: number, vh: number, scale: number): View {
  const s = clampScale(scale);
  return { scale: s, x: Math.round((vw - imgW * s) / 2), y: Math.round((vh - imgH * s) / 2) };
}

export function screenToImage(v: View, px: number, py: number): { x: number; y: number } {
  return { x: (px - v.x) / v.scale, y: (py - v.y) / v.scale };
}

export function imageToScreen(v: View, ix: number, iy: number): { x: number; y: number } {
  return { x: v.x + ix * v.scale, y: v.y + iy * v.scale };
}

/** Zooms to `scale` keeping the image point under canvas point (px, py) where it is. */
export function zoomAt(v: View, scale: number, px: number, py: number): View {
  const s = clampScale(scale);
  const ix = (px - v.x) / v.scale;
  const iy = (py - v.y) / v.scale;
  return { scale: s, x: px - ix * s, y: py - iy * s };
}

/** Multiplies the zoom by `factor` around (px, py). */
export function zoomBy(v: View, factor: number, px: number, py: number): View {
  return zoomAt(v, v.scale * factor, px, py);
}

/** Zoom factor for one wheel event: smooth for trackpads, ~12% per mouse-wheel notch. */
export function wheelZoomFactor(deltaY: number, deltaMode = 0): number {
  // deltaMode 1 = lines, 2 = pages; normalise to pixels first.
  const px = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
  const clamped = Math.max(-200, Math.min(200, px));
  return Math.exp(-clamped * 0.00115);
}

/** The next preset zoom level above (dir 1) or below (dir -1) the current scale. */
export function nextZoomStep(scale: number, dir: 1 | -1): number {
  const eps = 1e-6;
  if (dir > 0) {
    for (const z of ZOOM_STEPS) if (z > scale * (1 + eps)) return z;
    return MAX_SCALE;
  }
  for (let i = ZOOM_STEPS.length - 1; i >= 0; i--) if (ZOOM_STEPS[i]! < scale * (1 - eps)) return ZOOM_STEPS[i]!;
  return MIN_SCALE;
}

export function panBy(v: View, dx: number, dy: number): View {
  return { scale: v.scale, x: v.x + dx, y: v.y + dy };
}

/**
 * Keeps at least `keep` pixels of the image inside the viewport, so a fast pan or zoom can never
 * lose the image off screen.
 */
export function clampPan(v: View, imgW: number, imgH: number, vw: number, vh: number, keep = 48): View {
  const w = imgW * v.scale;
  const h = imgH * v.scale;
  const kx = Math.min(keep, w, vw);
  const ky = Math.min(keep, h, vh);
  const x = Math.min(vw - kx, Math.max(kx - w, v.x));
  const y = Math.min(vh - ky, Math.max(ky - h, v.y));
  return { scale: v.scale, x, y };
}

/**
 * Keeps the same image point at the viewport centre when the viewport changes size (window
 * resize, switching between one view and two side by side).
 */
export function resizeView(v: View, oldW: number, oldH: number, newW: number, newH: number): View {
  const c = screenToImage(v, oldW / 2, oldH / 2);
  return { scale: v.scale, x: newW / 2 - c.x * v.scale, y: newH / 2 - c.y * v.scale };
}

/** True when drawing at this scale should use nearest-neighbour (real pixels at and above 100%). */
export function crispAt(scale: number): boolean {
  return scale >= 1 - 1e-9;
}

/** Rounds the offsets at integer zoom levels so image pixels line up with device pixels. */
export function snapView(v: View): View {
  const r = Math.round(v.scale);
  if (v.scale >= 1 && Math.abs(v.scale - r) < 1e-9) return { scale: v.scale, x: Math.round(v.x), y: Math.round(v.y) };
  return v;
}
