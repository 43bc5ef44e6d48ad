/**
 * Pure chart maths for the small SVG line charts (training loss and validation PSNR): scales,
 * round tick values, smoothing, decimation and path strings. No DOM, no runes: unit-tested.
 */

export interface Point {
  x: number;
  y: number;
}

/** The drawing area inside the SVG, in pixels (y grows downwards). */
export interface PlotBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

export type ScaleKind = 'linear' | 'log';

export interface Scale {
  kind: ScaleKind;
  /** Data domain (both > 0 for log scales), lo < hi. */
  domain: [number, number];
  /** Pixel range the domain maps onto (may be reversed, e.g. [bottom, top] for y). */
  range: [number, number];
}

const finite = (v: number): boolean => Number.isFinite(v);

/**
 * Maps a value through a scale, clamped to the range so a stray value can never be drawn
 * outside the plot box.
 */
export function scaleValue(s: Scale, v: number): number {
  const [d0, d1] = s.domain;
  const [r0, r1] = s.range;
  let t: number;
  if (s.kind === 'log') {
    const lv = Math.log10(Math.max(v, Number.MIN_VALUE));
    t = (lv - Math.log10(d0)) / (Math.log10(d1) - Math.log10(d0));
  } else {
    t = (v - d0) / (d1 - d0);
  }
  if (!finite(t)) t = 0;
  t = Math.min(1, Math.max(0, t));
  return r0 + t * (r1 - r0);
}

/** A "nice" step near `rough`: 1, 2, 2.5 or 5 times a power of ten. */
export function niceStep(rough: number): number {
  if (!(rough > 0) || !finite(rough)) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  const f = rough / power;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return nice * power;
}

/** Rounds away floating-point noise (0.30000000000000004 -> 0.3) at the step's precision. */
function roundTo(v: number, step: number): number {
  const decimals = Math.max(0, Math.min(12, -Math.floor(Math.log10(step)) + 2));
  return Number(v.toFixed(decimals));
}

/**
 * Round tick values for a linear axis. The returned domain is widened to whole steps so the
 * ticks cover the data: domain[0] <= min, domain[1] >= max, and the first and last tick are
 * the domain's ends.
 */
export function niceLinear(min: number, max: number, count = 5, integer = false): { domain: [number, number]; ticks: number[]; step: number } {
  if (!finite(min) || !finite(max)) {
    min = 0;
    max = 1;
  }
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    // One value: a small window around it (or [0, 1] around zero).
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  let step = niceStep((max - min) / Math.max(1, count));
  // Whole-number axes (training steps) get whole-number ticks: 2.5 becomes 5.
  if (integer) {
    step = Math.max(1, step);
    while (!Number.isInteger(step)) step = niceStep(step * 1.01);
  }
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0, v = lo; v <= hi + step * 1e-6 && i < 100; i++, v = lo + i * step) ticks.push(roundTo(v, step));
  return { domain: [roundTo(lo, step), roundTo(hi, step)], ticks, step };
}

/**
 * Ticks for a log axis: 1, 2 and 5 times powers of ten (only powers of ten when the range
 * spans many decades). The domain is widened to the enclosing tick values.
 */
export function niceLog(min: number, max: number, maxTicks = 6): { domain: [number, number]; ticks: number[] } {
  if (!(min > 0) || !finite(min)) min = max > 0 && finite(max) ? max / 10 : 1e-3;
  if (!(max > 0) || !finite(max)) max = min * 10;
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    min /= 2;
    max *= 2;
  }
  const lowDecade = Math.floor(Math.log10(min));
  const highDecade = Math.ceil(Math.log10(max));
  const candidates = (mults: number[]): number[] => {
    const out: number[] = [];
    for (let d = lowDecade; d <= highDecade; d++) for (const m of mults) out.push(Number((m * 10 ** d).toPrecision(12)));
    return out;
  };
  for (const mults of [[1, 2, 5], [1, 3], [1]]) {
    const all = candidates(mults);
    // The enclosing candidates: the largest <= min and the smallest >= max.
    const lo = [...all].reverse().find((v) => v <= min * (1 + 1e-9)) ?? all[0];
    const hi = all.find((v) => v >= max * (1 - 1e-9)) ?? all[all.length - 1];
    const ticks = all.filter((v) => v >= lo && v <= hi);
    if (ticks.length <= maxTicks || mults.length === 1) {
      if (mults.length === 1 && ticks.length > maxTicks) {
        // Many decades: every k-th power of ten.
        const k = Math.ceil(ticks.length / maxTicks);
        const thinned = ticks.filter((_, i) => i % k === 0);
        if (thinned[thinned.length - 1] !== hi) thinned.push(hi);
        return { domain: [lo, hi], ticks: thinned };
      }
      return { domain: [lo, hi], ticks };
    }
  }
  return { domain: [min, max], ticks: [min, max] };
}

/** Min and max of the finite values (undefined when there are none). */
export function extent(values: Iterable<number>): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!finite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : undefined;
}

/** Exponential moving average, bias-corrected so the first values are not pulled to zero. */
export function smooth(points: Point[], alpha = 0.1): Point[] {
  const out: Point[] = [];
  let avg = 0;
  let weight = 0;
  for (const p of points) {
    if (!finite(p.y)) continue;
    avg = (1 - alpha) * avg + alpha * p.y;
    weight = (1 - alpha) * weight + alpha;
    out.push({ x: p.x, y: avg / weight });
  }
  return out;
}

/**
 * At most `max` points, evenly picked, always keeping the first and the last, so a long run
 * draws as fast as a short one.
 */
export function decimate(points: Point[], max: number): Point[] {
  if (points.length <= max || max < 2) return points.slice();
  const out: Point[] = [];
  const stride = (points.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(points[Math.round(i * stride)]);
  return out;
}

/**
 * SVG path data ("M x y L x y ...") for the points through the two scales. Non-finite points
 * (and non-positive ones on a log scale) break the line instead of being drawn.
 */
export function linePath(points: Point[], xs: Scale, ys: Scale): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    const ok = finite(p.x) && finite(p.y) && (ys.kind !== 'log' || p.y > 0) && (xs.kind !== 'log' || p.x > 0);
    if (!ok) {
      pen = false;
      continue;
    }
    const x = scaleValue(xs, p.x);
    const y = scaleValue(ys, p.y);
    d += `${pen ? 'L' : 'M'}${x.toFixed(1)} ${y.toFixed(1)}`;
    pen = true;
  }
  return d;
}

/** Parses a path produced by linePath back into pixel points (for tests and hit testing). */
export function pathPoints(d: string): Point[] {
  const out: Point[] = [];
  for (const m of d.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)) out.push({ x: Number(m[1]), y: Number(m[2]) });
  return out;
}

/**
 * Short tick labels: 1500 -> "1500", 20000 -> "20k", 0.002 -> "0.002", 2e-5 -> "2e-5". With the
 * axis step, labels keep the digits that tell neighbouring ticks apart (20.7125 next to 20.715).
 */
export function tickLabel(v: number, step?: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e4) return `${trim(v / 1e3)}k`;
  if (step !== undefined && step > 0 && Number.isFinite(step) && step < 1) {
    const decimals = Math.min(12, (String(Number(step.toPrecision(6))).split('.')[1] ?? '').length);
    if (a >= 1e-3 || decimals <= 6) return String(Number(v.toFixed(decimals)));
  }
  if (a >= 1e-3) return trim(v);
  const [mant, exp] = v.toExponential(1).split('e');
  return `${trim(Number(mant))}e${Number(exp)}`;
}

function trim(v: number): string {
  return String(Number(v.toPrecision(4)));
}

export interface SeriesAxes {
  x: Scale;
  y: Scale;
  xTicks: number[];
  yTicks: number[];
  /** Tick spacing of linear axes (for labels); undefined on a log axis. */
  xStep: number;
  yStep?: number;
}

/**
 * Scales and ticks for one series in a plot box: x from 0 to `xMax` (the run's total steps, so
 * the chart does not rescale as a run goes on), y from the data (log for loss).
 */
export function seriesAxes(points: Point[], box: PlotBox, xMax: number, yKind: ScaleKind, yTickCount = 4, yMinSpan = 0): SeriesAxes {
  const xTop = Math.max(1, xMax, ...(points.length ? [points[points.length - 1].x] : []));
  const xn = niceLinear(0, xTop, 4, true);
  const x: Scale = { kind: 'linear', domain: [0, xTop], range: [box.left, box.left + box.width] };
  const xTicks = xn.ticks.filter((t) => t >= 0 && t <= xTop);
  const ys = points.map((p) => p.y).filter((v) => finite(v) && (yKind !== 'log' || v > 0));
  const e = extent(ys);
  let y: Scale;
  let yTicks: number[];
  let yStep: number | undefined;
  if (yKind === 'log') {
    const n = niceLog(e?.[0] ?? 1e-3, e?.[1] ?? 1e-1, yTickCount + 1);
    y = { kind: 'log', domain: n.domain, range: [box.top + box.height, box.top] };
    yTicks = n.ticks;
  } else {
    let [lo, hi] = e ?? [0, 1];
    // A nearly flat series (PSNR moving by hundredths of a dB) should look flat, not steep.
    if (hi - lo < yMinSpan) {
      const mid = (lo + hi) / 2;
      lo = mid - yMinSpan / 2;
      hi = mid + yMinSpan / 2;
    }
    const n = niceLinear(lo, hi, yTickCount);
    y = { kind: 'linear', domain: n.domain, range: [box.top + box.height, box.top] };
    yTicks = n.ticks;
    yStep = n.step;
  }
  return { x, y, xTicks, yTicks, xStep: xn.step, yStep };
}
