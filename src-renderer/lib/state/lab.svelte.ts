/**
 * The Lab page's shared state: the last variants comparison (the Code tab reads its models) and
 * the last similar-image index (its 2-D code map shows on both the Code and Similar tabs), and
 * one helper that runs a lab job with the status line and error toasts.
 */
import { api, type JobHandle, type JobResultFor, type JobStreamEvent, type LabCompareResult, type LabJobSpec, type SimilarIndexResult } from '../api';
import { beginActivity } from './activity.svelte';
import { reportError } from './toasts.svelte';

export const lab = $state<{ compare?: LabCompareResult; index?: SimilarIndexResult; indexLabel?: string }>({});

export interface LabRun<S extends LabJobSpec> {
  /** Resolves with the result, or undefined when it failed (reported) or was cancelled. */
  done: Promise<JobResultFor<S> | undefined>;
  cancel(): Promise<void>;
}

/** Starts a lab job; its progress shows in the status line, a failure as a toast. */
export function runLabJob<S extends LabJobSpec>(spec: S, label: string, onEvent: (e: JobStreamEvent) => void = () => undefined): LabRun<S> {
  const activity = beginActivity(label);
  let handle: JobHandle<S> | undefined;
  let cancelled = false;
  const done = (async (): Promise<JobResultFor<S> | undefined> => {
    try {
      handle = await api.startJob(spec, (e) => {
        activity.event(e);
        onEvent(e);
      });
      if (cancelled) await handle.cancel();
      return await handle.done;
    } catch (e) {
      if ((e as { code?: string } | null)?.code !== 'cancelled') reportError(e);
      return undefined;
    } finally {
      activity.end();
    }
  })();
  return {
    done,
    cancel: async () => {
      cancelled = true;
      await handle?.cancel().catch(reportError);
    },
  };
}

/** "0.0123" / "12.3%" / "31.20 dB" for the tables. */
export const fmt = {
  num: (v: number, digits = 3): string => (Number.isFinite(v) ? v.toFixed(digits) : '–'),
  pct: (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '–'),
  db: (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)} dB` : '–'),
};
