import { describe, expect, it } from 'vitest';
import {
  centeredView, clampPan, fitView, imageToScreen, nextZoomStep, resizeView, screenToImage, wheelZoomFactor,
  zoomAt, zoomBy, MAX_SCALE, MIN_SCALE, ZOOM_STEPS,
} from '../../../src-renderer/lib/canvas/view.js';

describe('viewer geometry', () => {
  it('fit shows the whole image centred, touching the tighter side', () => {
    const v = fitView(4000, 3000, 1000, 500, 0);
    expect(v.scale).toBeCloseTo(500 / 3000);
    const tl = imageToScreen(v, 0, 0);
    const br = imageToScreen(v, 4000, 3000);
    expect(tl.y).toBeCloseTo(0);
    expect(br.y).toBeCloseTo(500);
    expect(tl.x).toBeGreaterThanOrEqual(0);
    expect(br.x).toBeLessThanOrEqual(1000);
    // centred horizontally within a pixel
    expect(Math.abs(tl.x - (1000 - br.x))).toBeLessThanOrEqual(1);
  });

  it('fit leaves the padding free', () => {
    const v = fitView(100, 100, 300, 300, 20);
    expect(v.scale).toBeCloseTo(2.6);
    expect(imageToScreen(v, 0, 0).x).toBeCloseTo(20);
  });

  it('zoom keeps the image point under the cursor fixed', () => {
    const v0 = fitView(4000, 3000, 1200, 800, 16);
    for (const [px, py, s] of [[123, 456, 1], [0, 0, 3.7], [1199, 799, 0.05], [600, 400, 32]] as const) {
      const before = screenToImage(v0, px, py);
      const v1 = zoomAt(v0, s, px, py);
      const after = screenToImage(v1, px, py);
      expect(after.x).toBeCloseTo(before.x, 9);
      expect(after.y).toBeCloseTo(before.y, 9);
      expect(v1.scale).toBeCloseTo(s);
    }
  });

  it('zoomBy composes and clamps to the limits', () => {
    let v = centeredView(100, 100, 500, 500, 1);
    for (let i = 0; i < 100; i++) v = zoomBy(v, 1.5, 250, 250);
    expect(v.scale).toBe(MAX_SCALE);
    for (let i = 0; i < 100; i++) v = zoomBy(v, 0.5, 10, 10);
    expect(v.scale).toBe(MIN_SCALE);
  });

  it('screen and image coordinates are inverse', () => {
    const v = { scale: 2.5, x: -31, y: 17 };
    const p = imageToScreen(v, 12.25, 99);
    const q = screenToImage(v, p.x, p.y);
    expect(q.x).toBeCloseTo(12.25);
    expect(q.y).toBeCloseTo(99);
  });

  it('100% centred lands on whole pixels', () => {
    const v = centeredView(333, 101, 1000, 700, 1);
    expect(Number.isInteger(v.x)).toBe(true);
    expect(Number.isInteger(v.y)).toBe(true);
  });

  it('zoom steps go up and down through 100%', () => {
    expect(nextZoomStep(0.9, 1)).toBe(1);
    expect(nextZoomStep(1, 1)).toBe(1.5);
    expect(nextZoomStep(1, -1)).toBeCloseTo(2 / 3);
    expect(nextZoomStep(ZOOM_STEPS[ZOOM_STEPS.length - 1]!, 1)).toBe(MAX_SCALE);
  });

  it('wheel up zooms in, down zooms out, symmetric', () => {
    expect(wheelZoomFactor(-100)).toBeGreaterThan(1);
    expect(wheelZoomFactor(100)).toBeLessThan(1);
    expect(wheelZoomFactor(100) * wheelZoomFactor(-100)).toBeCloseTo(1);
    expect(wheelZoomFactor(3, 1)).toBeCloseTo(wheelZoomFactor(48, 0));
  });

  it('clampPan keeps part of the image visible', () => {
    const v = clampPan({ scale: 1, x: 5000, y: -9000 }, 400, 300, 800, 600, 48);
    expect(v.x).toBeLessThanOrEqual(800 - 48);
    expect(v.y + 300).toBeGreaterThanOrEqual(48);
  });

  it('resizeView keeps the centre point', () => {
    const v = { scale: 2, x: -100, y: -50 };
    const c0 = screenToImage(v, 400, 300);
    const v2 = resizeView(v, 800, 600, 400, 600);
    const c1 = screenToImage(v2, 200, 300);
    expect(c1.x).toBeCloseTo(c0.x);
    expect(c1.y).toBeCloseTo(c0.y);
  });
});
