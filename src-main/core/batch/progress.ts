/** The batch's progress events: the generic job progress (done/total, ETA, MP/s) with the batch's own details. */
import type { BatchProgress, BatchProgressEvent } from './types.js';

export interface ProgressSnapshot {
  filesTotal: number;
  counts: { done: number; skipped: number; failed: number };
  pixelsDone: number;
  pixelsTotal: number;
  elapsedSeconds: number;
  megapixelsPerSecond?: number;
  etaSeconds?: number;
}

export function batchProgressEvent(s: ProgressSnapshot, b: Partial<BatchProgress> & { event: BatchProgress['event'] }, detail?: string): BatchProgressEvent {
  const finished = s.counts.done + s.counts.skipped + s.counts.failed;
  const mps = s.megapixelsPerSecond;
  const eta = s.etaSeconds;
  const batch: BatchProgress = {
    elapsedSeconds: s.elapsedSeconds,
    filesDone: finished,
    filesTotal: s.filesTotal,
    ...s.counts,
    pixelsDone: s.pixelsDone,
    pixelsTotal: s.pixelsTotal,
    ...(mps !== undefined ? { megapixelsPerSecond: mps } : {}),
    ...(eta !== undefined ? { etaSeconds: eta } : {}),
    ...b,
  };
  return {
    type: 'progress',
    stage: 'batch',
    done: finished,
    total: s.filesTotal,
    ...(eta !== undefined ? { etaSeconds: eta } : {}),
    ...(detail ? { detail } : {}),
    ...(mps !== undefined ? { metrics: { 'MP/s': Math.round(mps * 1000) / 1000 } } : {}),
    batch,
  };
}
