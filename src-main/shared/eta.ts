/**
 * The one place that estimates time left, for the core's jobs, the batch engine and the
 * interface (which fills in an ETA when a job's progress events carry none). Pure: no Node, no
 * DOM, so the renderer imports it too.
 *
 *  - estimateEta: linear extrapolation of the time per unit of work (pixels, steps, files),
 *    silent while start-up dominates (under 2% of the work or 1 s);
 *  - EtaEstimator: the same from a clock started when the job started;
 *  - BatchEta: a batch of files of different sizes, where each file has a fixed cost besides its
 *    pixels, so plain extrapolation misjudges a batch of mixed sizes.
 */

/**
 * Seconds left when `done` of `total` units took `elapsedSeconds`: 0 once done, undefined while
 * there is too little to go on (nothing done, under `minFraction` of the work, or under
 * `minSeconds`: the first moments are mostly start-up).
 */
export function estimateEta(elapsedSeconds: number, done: number, total: number, minFraction = 0.02, minSeconds = 1): number | undefined {
  if (!(total > 0)) return undefined;
  if (done >= total) return 0;
  if (!(done > 0) || !(elapsedSeconds >= minSeconds)) return undefined;
  const fraction = done / total;
  if (fraction < minFraction) return undefined;
  return (elapsedSeconds / fraction) * (1 - fraction);
}

/** estimateEta on a clock started at construction (`now` in milliseconds, for tests). */
export class EtaEstimator {
  private readonly start: number;

  constructor(private readonly total: number, private readonly now: () => number = () => performance.now()) {
    this.start = now();
  }

  /** Seconds left after `done` units, or undefined while too early to tell. */
  secondsLeft(done: number): number | undefined {
    return estimateEta(this.elapsedSeconds(), done, this.total);
  }

  elapsedSeconds(): number {
    return (this.now() - this.start) / 1000;
  }
}

/**
 * Batch ETA weighted by image size. Each processed file costs about `a + b * pixels` seconds of
 * wall time: `a` is the per-file part (hashing, decoding headers, file system, encoder set-up),
 * `b` the per-pixel part (inference, encode). Both are fitted by least squares on the intervals
 * between consecutive completions (so overlap between reading, inference and writing, and
 * --jobs, are already in the measurements), leaving out the first interval (warm-up) once there
 * are enough others, weighting recent files more and clipping outliers. Files skipped or failed leave the remaining work without being fitted.
 * Time is "active" time: the caller passes a clock that stops while the batch is paused.
 */
export class BatchEta {
  private remainingFiles: number;
  private remainingPixels: number;
  private lastCompletion: number;
  private samples: { p: number; t: number }[] = [];

  constructor(pixels: number[], start: number) {
    this.remainingFiles = pixels.length;
    this.remainingPixels = pixels.reduce((s, p) => s + p, 0);
    this.lastCompletion = start;
  }

  /** A file finished at active time `now`. Only `processed` files (inference ran) are fitted. */
  complete(pixels: number, now: number, processed: boolean): void {
    this.remainingFiles = Math.max(0, this.remainingFiles - 1);
    this.remainingPixels = Math.max(0, this.remainingPixels - pixels);
    if (processed) this.samples.push({ p: pixels, t: Math.max(0, now - this.lastCompletion) });
    this.lastCompletion = now;
  }

  /** The fitted cost model, or undefined before the first processed file. */
  model(): { a: number; b: number } | undefined {
    const all = this.samples;
    if (all.length === 0) return undefined;
    const s = all.length >= 4 ? all.slice(1) : all;
    const n = s.length;
    // Recent files weigh more (half-life: half the files so far, at least 20), so warm-up and
    // drifting machine load fade out.
    const half = Math.max(20, n / 2);
    const w = s.map((_, i) => 0.5 ** ((n - 1 - i) / half));
    const fit = (t: number[]): { a: number; b: number } => {
      let sw = 0;
      let sp = 0;
      let st = 0;
      for (let i = 0; i < n; i++) {
        sw += w[i];
        sp += w[i] * s[i].p;
        st += w[i] * t[i];
      }
      const mp = sp / sw;
      const mt = st / sw;
      let cov = 0;
      let varp = 0;
      for (let i = 0; i < n; i++) {
        cov += w[i] * (s[i].p - mp) * (t[i] - mt);
        varp += w[i] * (s[i].p - mp) ** 2;
      }
      // Sizes all (nearly) equal, or too few samples: time per pixel, no fixed part.
      const proportional = { a: mp > 0 ? 0 : mt, b: mp > 0 ? mt / mp : 0 };
      if (n < 3 || varp <= 1e-9 * Math.max(1, mp * mp) * sw) return proportional;
      const b = cov / varp;
      const a = mt - b * mp;
      if (b < 0) return { a: mt, b: 0 };
      if (a < 0) return proportional;
      return { a, b };
    };
    const t = s.map((x) => x.t);
    const first = fit(t);
    if (n < 5) return first;
    // One stall (a slow disk flush, a busy machine for a moment) must not be projected onto every
    // remaining file: clip residuals at 4 median absolute residuals and fit again.
    const res = s.map((x, i) => t[i] - (first.a + first.b * x.p));
    const mad = [...res].map(Math.abs).sort((x, y) => x - y)[Math.floor(n / 2)];
    if (!(mad > 0)) return first;
    const cap = 4 * mad;
    return fit(s.map((x, i) => first.a + first.b * x.p + Math.max(-cap, Math.min(cap, res[i]))));
  }

  /** Seconds left at active time `now`, or undefined before anything can be estimated. */
  secondsLeft(now: number): number | undefined {
    if (this.remainingFiles === 0) return 0;
    const m = this.model();
    if (!m) return undefined;
    const rest = m.a * this.remainingFiles + m.b * this.remainingPixels;
    const since = Math.max(0, now - this.lastCompletion);
    // The file in progress has already used `since`; never claim less than a small share of the rest.
    return Math.max(rest - since, rest * 0.02);
  }
}
