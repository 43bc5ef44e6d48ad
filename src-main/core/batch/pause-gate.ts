/**
 * The batch's pause gate and its active clock. Workers wait at the gate between files; a pause
 * closes it, resume or cancel opens it. The batch counts as paused only once every live worker
 * waits there (the file in inference finishes first), which the owner learns through
 * `onWaiting`. The active clock stops while paused, so speeds and the ETA leave pauses out.
 */
export class PauseGate {
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  private waiting = 0;
  private workersAlive = 0;
  private pausedAt: number | undefined;
  private pausedTotal = 0;
  private t0 = performance.now();

  /** `onWaiting`: called whenever a worker arrives at the gate or stops (see `allWaiting`). */
  constructor(private readonly onWaiting: () => void) {}

  /** Starts the active clock now. */
  startClock(now: number): void {
    this.t0 = now;
  }

  get closed(): boolean {
    return this.gate !== undefined;
  }

  close(): void {
    this.gate = new Promise((r) => (this.openGate = r));
  }

  /** Opens the gate and stops counting paused time. */
  open(): void {
    if (this.pausedAt !== undefined) this.pausedTotal += performance.now() - this.pausedAt;
    this.pausedAt = undefined;
    const open = this.openGate;
    this.gate = undefined;
    this.openGate = undefined;
    open?.();
  }

  /** The owner saw every worker waiting: paused time counts from now. */
  markPaused(): void {
    this.pausedAt = performance.now();
  }

  /** Every live worker waits at the gate (and there is at least one). */
  get allWaiting(): boolean {
    return this.waiting >= this.workersAlive && this.workersAlive > 0;
  }

  setWorkers(n: number): void {
    this.workersAlive = n;
  }

  workerStopped(): void {
    this.workersAlive--;
    this.onWaiting();
  }

  /** Waits while the gate is closed; returns at once when `signal` is aborted. */
  async wait(signal: AbortSignal): Promise<void> {
    while (this.gate && !signal.aborted) {
      this.waiting++;
      this.onWaiting();
      try {
        await this.gate;
      } finally {
        this.waiting--;
      }
    }
  }

  /** Active seconds (pauses excluded) since the clock started. */
  activeSeconds(): number {
    const now = performance.now();
    const paused = this.pausedTotal + (this.pausedAt !== undefined ? now - this.pausedAt : 0);
    return (now - this.t0 - paused) / 1000;
  }
}
