/**
 * Estimates time left from work done so far. Work is measured in any unit (pixels, steps),
 * so callers weight by image size rather than by file count.
 */
export class EtaEstimator {
  private readonly start = performance.now();
  constructor(private readonly total: number) {}

  /** Seconds left after `done` units, or undefined before any progress. */
  secondsLeft(done: number): number | undefined {
    if (done <= 0 || this.total <= 0) return undefined;
    const elapsed = (performance.now() - this.start) / 1000;
    return Math.max(0, (elapsed / done) * (this.total - done));
  }

  elapsedSeconds(): number {
    return (performance.now() - this.start) / 1000;
  }
}
