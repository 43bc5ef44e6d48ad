/**
 * Drawing the viewer's canvas and its loupe: the image layers under a view, the heat map and the
 * mask overlay over them, per compare mode. Plain canvas calls on what they are given; the
 * viewer component owns the view, the pointer and when to draw.
 */
import type { CompareMode, Layer } from './scene';
import { crispAt, type View } from './view';

/** What is drawn, in image pixels. */
export interface Scene {
  width: number;
  height: number;
  mode: CompareMode;
  before: Layer[];
  after: Layer[];
  /** Hold-to-compare: the original fills every pane. */
  showOriginal: boolean;
  /** Split divider position, 0..1 of the width. */
  split: number;
  heatmap?: ImageBitmap;
  showHeatmap: boolean;
  overlay?: HTMLCanvasElement;
  showOverlay: boolean;
}

const SURROUND = '#19191b';

function drawLayers(c: CanvasRenderingContext2D, s: Scene, layers: Layer[], heatmap: boolean): void {
  for (const l of layers) {
    c.globalAlpha = l.alpha;
    c.drawImage(l.bitmap, 0, 0, s.width, s.height);
  }
  if (heatmap && s.heatmap && s.showHeatmap) {
    c.globalAlpha = 0.75;
    c.drawImage(s.heatmap, 0, 0, s.width, s.height);
  }
  if (s.overlay && s.showOverlay) {
    c.globalAlpha = 0.55;
    c.drawImage(s.overlay, 0, 0, s.width, s.height);
  }
}

/** One pane: `layers` under `view` shifted by `ox`, clipped to canvas columns [clip0, clip1). */
function drawPane(c: CanvasRenderingContext2D, s: Scene, view: View, canvasH: number, ox: number, clip0: number, clip1: number, layers: Layer[]): void {
  c.save();
  c.beginPath();
  c.rect(clip0, 0, clip1 - clip0, canvasH);
  c.clip();
  // A thin frame so the image edge reads against the surround at any zoom.
  const x0 = ox + view.x;
  const y0 = view.y;
  const w = s.width * view.scale;
  const h = s.height * view.scale;
  c.fillStyle = '#0e0e10';
  c.fillRect(Math.round(x0) - 1, Math.round(y0) - 1, Math.round(w) + 2, Math.round(h) + 2);
  c.setTransform(view.scale, 0, 0, view.scale, x0, y0);
  const crisp = crispAt(view.scale);
  c.imageSmoothingEnabled = !crisp;
  if (!crisp) c.imageSmoothingQuality = 'high';
  drawLayers(c, s, layers, true);
  c.restore();
}

/** The whole canvas (W x H device pixels): surround, then the panes of the compare mode. */
export function drawScene(c: CanvasRenderingContext2D, s: Scene, view: View, W: number, H: number): void {
  c.setTransform(1, 0, 0, 1, 0, 0);
  c.globalAlpha = 1;
  c.fillStyle = SURROUND;
  c.fillRect(0, 0, W, H);
  if (!s.width || !s.height) return;
  const left = s.before;
  const right = s.showOriginal ? s.before : s.after;
  if (s.mode === 'side') {
    const hw = Math.floor(W / 2);
    drawPane(c, s, view, H, 0, 0, hw, left);
    drawPane(c, s, view, H, hw, hw, W, right);
    c.fillStyle = '#000';
    c.fillRect(hw - 1, 0, 2, H);
  } else if (s.mode === 'split' && !s.showOriginal) {
    const sx = Math.round(s.split * W);
    drawPane(c, s, view, H, 0, 0, sx, left);
    drawPane(c, s, view, H, 0, sx, W, right);
  } else {
    drawPane(c, s, view, H, 0, 0, W, s.showOriginal ? left : s.after);
  }
}

/**
 * The loupe (size x size device pixels): real pixels magnified `magnification` times around
 * image point `at`, from the left (before) or right (after) layers, with the mask overlay.
 */
export function drawLoupe(c: CanvasRenderingContext2D, s: Scene, size: number, magnification: number, at: { x: number; y: number }, leftSide: boolean): void {
  c.setTransform(1, 0, 0, 1, 0, 0);
  c.globalAlpha = 1;
  c.fillStyle = SURROUND;
  c.fillRect(0, 0, size, size);
  const m = magnification;
  c.setTransform(m, 0, 0, m, Math.round(size / 2 - at.x * m), Math.round(size / 2 - at.y * m));
  c.imageSmoothingEnabled = false;
  drawLayers(c, s, leftSide ? s.before : s.after, false);
}
