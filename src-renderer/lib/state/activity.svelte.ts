/**
 * Jobs running anywhere in the app, for the status line at the bottom of the window. A page
 * that starts a job calls beginActivity() and reports progress to the handle it gets back;
 * the status line shows the most recent one (and how many others run).
 */
import { estimateEta } from '../../../src-main/shared/eta.js';
import { progressFraction } from '../format';
import type { JobStreamEvent } from '../api';

export interface Activity {
  key: number;
  /** What runs, in words: "Denoising IMG_0042.jpg". */
  label: string;
  /** 0..1, or -1 while the amount of work is not known yet. */
  fraction: number;
  /** Seconds left when known. */
  etaSeconds?: number;
  detail: string;
  startedAt: number;
}

export const activity = $state<{ items: Activity[] }>({ items: [] });

let nextKey = 1;

export interface ActivityHandle {
  /** Feeds a job event (progress events move the bar; others are ignored). */
  event(e: JobStreamEvent): void;
  update(patch: Partial<Omit<Activity, 'key' | 'startedAt'>>): void;
  end(): void;
}

export function beginActivity(label: string): ActivityHandle {
  const key = nextKey++;
  const startedAt = performance.now();
  activity.items.push({ key, label, fraction: -1, detail: '', startedAt });
  const find = (): Activity | undefined => activity.items.find((a) => a.key === key);
  return {
    event(e) {
      if (e.type !== 'progress') return;
      const a = find();
      if (!a) return;
      a.fraction = e.total > 0 ? progressFraction(e.done, e.total) : -1;
      a.etaSeconds = e.etaSeconds ?? estimateEta((performance.now() - startedAt) / 1000, e.done, e.total);
      a.detail = e.detail ?? e.stage ?? '';
    },
    update(patch) {
      const a = find();
      if (a) Object.assign(a, patch);
    },
    end() {
      const i = activity.items.findIndex((a) => a.key === key);
      if (i >= 0) activity.items.splice(i, 1);
    },
  };
}
