/**
 * Long jobs as the desktop shows them outside the window: a progress bar on the taskbar / dock
 * icon while batches and training runs go (win.setProgressBar), and a system notification when
 * one that took a while ends (the user has likely switched to another app). Pure: main.ts feeds
 * it job starts, events and ends and applies what it returns.
 */
import type { ApiError, JobResult, JobSpec, JobStreamEvent } from '../shared/api.js';

/** Jobs that show on the taskbar. Single-image jobs take seconds and show in the window only. */
const TRACKED: readonly JobSpec['type'][] = ['batch', 'train'];

/** A batch or training run that took at least this long gets a notification when it ends. */
export const NOTIFY_AFTER_SECONDS = 30;

interface Tracked {
  type: JobSpec['type'];
  name: string;
  fraction: number;
  startedAt: number;
}

export interface Notice {
  title: string;
  body: string;
}

export type Outcome = { ok: true; result: JobResult } | { ok: false; error: ApiError };

export class TaskbarProgress {
  private readonly jobs = new Map<string, Tracked>();

  constructor(private readonly now: () => number = Date.now) {}

  start(id: string, spec: JobSpec): void {
    if (!TRACKED.includes(spec.type)) return;
    this.jobs.set(id, { type: spec.type, name: spec.type === 'train' ? spec.name : '', fraction: -1, startedAt: this.now() });
  }

  event(id: string, e: JobStreamEvent): void {
    const j = this.jobs.get(id);
    if (!j || e.type !== 'progress') return;
    if (e.total > 0) j.fraction = Math.min(1, Math.max(0, e.done / e.total));
  }

  /** Ends a job; returns the notification to show, if it deserves one. */
  end(id: string, outcome: Outcome): Notice | undefined {
    const j = this.jobs.get(id);
    if (!j) return undefined;
    this.jobs.delete(id);
    const seconds = (this.now() - j.startedAt) / 1000;
    return seconds >= NOTIFY_AFTER_SECONDS ? endNotice(j, outcome, seconds) : undefined;
  }

  /**
   * The value for BrowserWindow.setProgressBar: -1 removes the bar, 0..1 fills it, and 2 shows
   * it as indeterminate (work whose size is not known yet). With several jobs, their mean.
   */
  value(): number {
    if (this.jobs.size === 0) return -1;
    const known = [...this.jobs.values()].filter((j) => j.fraction >= 0);
    if (known.length === 0) return 2;
    return known.reduce((a, j) => a + j.fraction, 0) / this.jobs.size;
  }
}

function duration(seconds: number): string {
  const m = Math.round(seconds / 60);
  return seconds < 90 ? `${Math.round(seconds)} s` : m < 90 ? `${m} min` : `${(seconds / 3600).toFixed(1)} h`;
}

export function endNotice(job: { type: JobSpec['type']; name: string }, outcome: Outcome, seconds: number): Notice {
  const took = duration(seconds);
  if (!outcome.ok) {
    const what = job.type === 'train' ? `Training “${job.name}”` : 'Batch';
    if (outcome.error.code === 'cancelled') return { title: `${what} cancelled`, body: `After ${took}.` };
    return { title: `${what} stopped`, body: outcome.error.message };
  }
  const r = outcome.result;
  if (r.type === 'batch') {
    const failed = r.failed > 0 ? `, ${r.failed} failed` : '';
    return {
      title: r.status === 'cancelled' ? 'Batch cancelled' : 'Batch finished',
      body: `${r.done} of ${r.total} images written${failed} in ${took}.`,
    };
  }
  if (r.type === 'train') {
    return {
      title: r.cancelled ? `Training “${r.model.name}” stopped` : `Training “${r.model.name}” finished`,
      body: `${r.steps} steps in ${took}, validation PSNR ${r.valPsnr.toFixed(2)} dB. The model is in every model list.`,
    };
  }
  return { title: 'Mend: job finished', body: `In ${took}.` };
}
