import { describe, expect, it } from 'vitest';
import {
  decimate, extent, linePath, niceLinear, niceLog, niceStep, pathPoints, scaleValue, seriesAxes, smooth, tickLabel,
  type PlotBox, type Point,
} from '../../../src-renderer/lib/charts/scale.js';

/** A small deterministic generator so the "any data" checks are repeatable. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const box: PlotBox = { left: 40, top: 10, width: 300, height: 120 };
const inside = (p: Point): boolean =>
  p.x >= box.left - 0.05 && p.x <= box.left + box.width + 0.05 && p.y >= box.top - 0.05 && p.y <= box.top + box.height + 0.05;

describe('niceStep', () => {
  it('is 1, 2, 2.5 or 5 times a power of ten and not below the rough step', () => {
    for (const rough of [0.0003, 0.07, 0.9, 1, 1.1, 3.3, 7, 42, 999, 123456]) {
      const s = niceStep(rough);
      expect(s).toBeGreaterThanOrEqual(rough * 0.999);
      const mant = s / 10 ** Math.floor(Math.log10(s));
      expect([1, 2, 2.5, 5, 10].some((m) => Math.abs(mant - m) < 1e-9)).toBe(true);
    }
  });
});

describe('niceLinear', () => {
  it('covers the range with evenly spaced round ticks', () => {
    const r = rng(1);
    for (let n = 0; n < 300; n++) {
      const a = (r() - 0.5) * 10 ** (r() * 8 - 4);
      const b = a + r() * 10 ** (r() * 8 - 4);
      const { domain, ticks, step } = niceLinear(a, b, 5);
      expect(domain[0]).toBeLessThanOrEqual(a + Math.abs(a) * 1e-9);
      expect(domain[1]).toBeGreaterThanOrEqual(b - Math.abs(b) * 1e-9);
      expect(ticks[0]).toBe(domain[0]);
      expect(ticks[ticks.length - 1]).toBe(domain[1]);
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks.length).toBeLessThanOrEqual(12);
      for (let i = 1; i < ticks.length; i++) expect(ticks[i] - ticks[i - 1]).toBeCloseTo(step, 6);
      // Round: every tick is a whole multiple of the step.
      for (const t of ticks) expect(Math.abs(t / step - Math.round(t / step))).toBeLessThan(1e-6);
    }
  });
  it('gives short decimal labels (no floating point noise)', () => {
    const { ticks } = niceLinear(0.1, 0.7, 6);
    expect(ticks.map(String)).toEqual(['0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7']);
    expect(niceLinear(24.3, 31.8, 4).ticks).toEqual([24, 26, 28, 30, 32]);
  });
  it('survives a single value and non-finite input', () => {
    expect(niceLinear(5, 5).domain[0]).toBeLessThan(5);
    expect(niceLinear(5, 5).domain[1]).toBeGreaterThan(5);
    expect(niceLinear(0, 0).ticks.length).toBeGreaterThanOrEqual(2);
    expect(niceLinear(Number.NaN, Infinity).ticks.every(Number.isFinite)).toBe(true);
  });
});

describe('niceLog', () => {
  it('covers the range with 1-2-5 ticks', () => {
    const r = rng(2);
    for (let n = 0; n < 200; n++) {
      const lo = 10 ** (r() * 8 - 6);
      const hi = lo * 10 ** (r() * 5);
      const { domain, ticks } = niceLog(lo, hi, 6);
      expect(domain[0]).toBeLessThanOrEqual(lo * (1 + 1e-9));
      expect(domain[1]).toBeGreaterThanOrEqual(hi * (1 - 1e-9));
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks.length).toBeLessThanOrEqual(8);
      for (const t of ticks) {
        const mant = Number((t / 10 ** Math.floor(Math.log10(t) + 1e-9)).toPrecision(6));
        expect([1, 2, 3, 5]).toContain(mant);
      }
      for (let i = 1; i < ticks.length; i++) expect(ticks[i]).toBeGreaterThan(ticks[i - 1]);
    }
  });
  it('typical training loss range', () => {
    expect(niceLog(0.0017, 0.04).ticks).toEqual([0.001, 0.002, 0.005, 0.01, 0.02, 0.05]);
  });
});

describe('linePath', () => {
  it('keeps every point inside the plot box for any data', () => {
    const r = rng(3);
    for (let n = 0; n < 100; n++) {
      const pts: Point[] = [];
      const len = Math.floor(r() * 50);
      for (let i = 0; i < len; i++) {
        const special = r();
        const y = special < 0.05 ? Number.NaN : special < 0.1 ? Infinity : special < 0.15 ? -5 : (r() - 0.3) * 10 ** (r() * 10 - 5);
        pts.push({ x: i * r() * 1000, y });
      }
      for (const kind of ['linear', 'log'] as const) {
        // Axes from only part of the data, so other points fall outside the domain.
        const axes = seriesAxes(pts.slice(0, Math.ceil(len / 2)), box, 500, kind);
        const d = linePath(pts, axes.x, axes.y);
        const drawn = pathPoints(d);
        expect(drawn.every(inside)).toBe(true);
        expect(d).not.toMatch(/NaN|Infinity/);
      }
    }
  });
  it('breaks the line at a missing value', () => {
    const xs = { kind: 'linear' as const, domain: [0, 10] as [number, number], range: [0, 100] as [number, number] };
    const ys = { kind: 'linear' as const, domain: [0, 1] as [number, number], range: [50, 0] as [number, number] };
    const d = linePath([{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 2, y: Number.NaN }, { x: 3, y: 0.5 }], xs, ys);
    expect(d).toBe('M0.0 50.0L10.0 0.0M30.0 25.0');
  });
  it('maps the domain ends onto the range ends, log scales too', () => {
    const s = { kind: 'log' as const, domain: [0.001, 0.1] as [number, number], range: [100, 0] as [number, number] };
    expect(scaleValue(s, 0.001)).toBeCloseTo(100);
    expect(scaleValue(s, 0.01)).toBeCloseTo(50);
    expect(scaleValue(s, 0.1)).toBeCloseTo(0);
    expect(scaleValue(s, 10)).toBe(0);
  });
});

describe('series helpers', () => {
  it('extent ignores non-finite values', () => {
    expect(extent([3, Number.NaN, -1, Infinity, 2])).toEqual([-1, 3]);
    expect(extent([])).toBeUndefined();
  });
  it('decimate keeps the ends and the limit', () => {
    const pts = Array.from({ length: 1000 }, (_, i) => ({ x: i, y: i }));
    const d = decimate(pts, 100);
    expect(d.length).toBe(100);
    expect(d[0]).toBe(pts[0]);
    expect(d[99]).toBe(pts[999]);
    expect(decimate(pts.slice(0, 5), 100).length).toBe(5);
  });
  it('smooth stays within the data range and starts at the first value', () => {
    const pts = [5, 1, 9, 2, 8].map((y, x) => ({ x, y }));
    const s = smooth(pts, 0.3);
    expect(s[0].y).toBe(5);
    for (const p of s) {
      expect(p.y).toBeGreaterThanOrEqual(1);
      expect(p.y).toBeLessThanOrEqual(9);
    }
  });
  it('x axis spans the whole run, not just the steps so far', () => {
    const axes = seriesAxes([{ x: 10, y: 0.01 }], box, 2000, 'log');
    expect(axes.x.domain).toEqual([0, 2000]);
    expect(axes.xTicks[0]).toBe(0);
    expect(axes.xTicks.every((t) => t <= 2000)).toBe(true);
  });
  it('step axes have whole-number ticks', () => {
    for (const total of [1, 3, 10, 25, 40, 99, 1234, 20000]) {
      const axes = seriesAxes([], box, total, 'linear');
      expect(axes.xTicks.every(Number.isInteger), String(total)).toBe(true);
      expect(axes.xTicks[0]).toBe(0);
    }
  });
  it('labels of close ticks stay distinct', () => {
    const pts = [{ x: 5, y: 20.7105 }, { x: 10, y: 20.7245 }];
    const axes = seriesAxes(pts, box, 10, 'linear');
    const labels = axes.yTicks.map((t) => tickLabel(t, axes.yStep));
    expect(new Set(labels).size).toBe(labels.length);
    // With a minimum span, a nearly flat series spans at least that much.
    const flat = seriesAxes(pts, box, 10, 'linear', 4, 1);
    expect(flat.y.domain[1] - flat.y.domain[0]).toBeGreaterThanOrEqual(1);
    expect(flat.yTicks.map((t) => tickLabel(t, flat.yStep)).every((l) => l.length <= 5)).toBe(true);
  });
  it('tick labels are short', () => {
    expect(tickLabel(1500)).toBe('1500');
    expect(tickLabel(20000)).toBe('20k');
    expect(tickLabel(0.002)).toBe('0.002');
    expect(tickLabel(0.0002)).toBe('2e-4');
    expect(tickLabel(0.30000000000000004)).toBe('0.3');
  });
});
