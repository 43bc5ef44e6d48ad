/**
 * The batch's end: the summary returned to the caller and the JSON report written next to the
 * outputs (settings, counts, every file's status and timing). A report that cannot be written is
 * said in the log, not fatal: the outputs and the journal are what count.
 */
import path from 'node:path';
import { MendError } from '../../shared/errors.js';
import { writeFileAtomic } from '../image/atomic-write.js';
import type { BatchPlan } from './plan.js';
import type { BatchOptions, BatchSummary, FileRecord } from './types.js';

export const REPORT_NAME = 'mend-batch-report.json';

/** A failure's reason and code as the records and the report show them. */
export function reasonOf(e: unknown): { reason: string; code: string } {
  if (e instanceof MendError) return { reason: e.message, code: e.code };
  const msg = e instanceof Error ? e.message : String(e);
  return { reason: msg.split('\n')[0].slice(0, 300), code: 'internal' };
}

export interface ReportInput {
  options: BatchOptions;
  plan: BatchPlan;
  files: FileRecord[];
  counts: { done: number; skipped: number; failed: number };
  megapixels: number;
  megapixelsPerSecond: number;
  cancelled: boolean;
  seconds: number;
  warn: (message: string) => void;
}

export async function writeBatchReport(r: ReportInput): Promise<BatchSummary> {
  const { options: o, plan, files } = r;
  const summary: BatchSummary = {
    status: r.cancelled ? 'cancelled' : 'completed',
    outDir: plan.outDir,
    total: plan.items.length,
    ...r.counts,
    notProcessed: files.filter((f) => f.status === 'pending').length,
    failures: files.filter((f) => f.status === 'failed').map((f) => ({ input: f.input, reason: f.reason ?? 'unknown' })),
    skippedFiles: files.filter((f) => f.status === 'skipped').map((f) => ({ input: f.input, reason: f.reason ?? '' })),
    notImages: plan.skipped,
    seconds: r.seconds,
    megapixels: r.megapixels,
    megapixelsPerSecond: r.megapixelsPerSecond,
    report: path.join(plan.outDir, REPORT_NAME),
    files,
  };
  const report = {
    tool: 'mend batch',
    version: 1,
    command: o.commandLine,
    finished: new Date().toISOString(),
    settings: {
      task: o.task ?? 'denoise', model: o.model ?? null, sigma: o.sigma ?? 'auto', amount: o.amount ?? null, detail: o.detail ?? 0, strength: o.strength ?? 1, passes: o.passes ?? 1, mask: o.mask ?? null, masks: o.masks ?? null,
      format: o.format ?? 'same', quality: o.quality ?? null, depth: o.depth ?? null, keepMetadata: o.keepMetadata ?? true,
      recursive: !!o.recursive, skipExisting: !!o.skipExisting, jobs: o.jobs ?? 1, inputs: o.inputs.map((i) => path.resolve(i)),
    },
    ...summary,
  };
  try {
    await writeFileAtomic(summary.report, Buffer.from(JSON.stringify(report, null, 2) + '\n'));
  } catch (e) {
    r.warn(`${reasonOf(e).reason}; the summary is only shown here`);
  }
  return summary;
}
