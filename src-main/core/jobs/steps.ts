/**
 * Long synchronous computations written as generators that yield their progress (0-1) between
 * small steps: run to the end at once where nothing waits on them (training data), or as a job
 * that lets the event loop breathe every tenth of a second, reports progress and can be
 * cancelled (an inpainting prefill on 24 megapixels takes half a minute).
 */
import type { JobContext } from '../../shared/jobs.js';
import { throwIfCancelled, yieldToEventLoop } from './cancel.js';
import { EtaEstimator } from '../../shared/eta.js';

export type Steps<T> = Generator<number, T, void>;

/** Runs the steps to the end; their result. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const s = steps.next();
    if (s.done) return s.value;
  }
}

/**
 * Runs the steps as part of a job: at most every `intervalMs` (default 100) it yields to the
 * event loop, stops if cancelled, and emits progress of `stage` in thousandths, with `detail`.
 */
export async function runStepsAsync<T>(
  steps: Steps<T>,
  stage: string,
  ctx: JobContext & { intervalMs?: number; detail?: string } = {},
): Promise<T> {
  const interval = ctx.intervalMs ?? 100;
  const eta = new EtaEstimator(1000);
  let last = performance.now();
  throwIfCancelled(ctx.signal);
  for (;;) {
    const s = steps.next();
    if (s.done) {
      ctx.onEvent?.({ type: 'progress', stage, done: 1000, total: 1000, etaSeconds: 0, detail: ctx.detail });
      return s.value;
    }
    if (performance.now() - last < interval) continue;
    const done = Math.min(999, Math.round(s.value * 1000));
    ctx.onEvent?.({ type: 'progress', stage, done, total: 1000, etaSeconds: done >= 50 ? eta.secondsLeft(done) : undefined, detail: ctx.detail });
    await yieldToEventLoop();
    throwIfCancelled(ctx.signal);
    last = performance.now();
  }
}
