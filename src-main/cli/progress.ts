/**
 * How the CLI shows job events: a progress bar with ETA on a terminal, NDJSON lines with --json,
 * occasional plain lines when stderr is not a terminal (logs, CI).
 */
import type { JobEvent, ProgressEvent } from '../shared/jobs.js';

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

function metricsText(m: Record<string, number> | undefined): string {
  if (!m) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(m)) {
    if (!Number.isFinite(v)) continue;
    parts.push(`${k} ${Math.abs(v) >= 100 || Number.isInteger(v) ? v.toFixed(0) : Math.abs(v) < 0.01 ? v.toExponential(2) : v.toFixed(2)}`);
  }
  return parts.join(' ');
}

export interface Reporter {
  event(e: JobEvent): void;
  /** Prints the final JSON result line (--json) or nothing. */
  result(obj: Record<string, unknown>): void;
  /** Clears a bar left on the terminal. */
  done(): void;
}

export function createReporter(json: boolean, stream: NodeJS.WriteStream = process.stderr): Reporter {
  if (json) {
    return {
      event: (e) => process.stdout.write(JSON.stringify(e) + '\n'),
      result: (obj) => process.stdout.write(JSON.stringify({ type: 'result', ...obj }) + '\n'),
      done: () => undefined,
    };
  }
  const tty = stream.isTTY === true;
  let lastPlain = 0;
  let barShown = false;
  const line = (p: ProgressEvent): string => {
    const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = tty ? `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ` : '';
    const detail = p.detail ? ` ${p.detail}` : '';
    return `${p.stage} ${bar}${p.done}/${p.total} ${(frac * 100).toFixed(0)}% ETA ${formatDuration(p.etaSeconds)} ${metricsText(p.metrics)}${detail}`.trimEnd();
  };
  return {
    event(e) {
      if (e.type === 'log') {
        if (barShown) stream.write('\r\x1b[K');
        stream.write(`${e.level === 'warn' ? 'warning: ' : ''}${e.message}\n`);
        return;
      }
      if (tty) {
        const cols = stream.columns ?? 100;
        stream.write(`\r\x1b[K${line(e).slice(0, cols - 1)}`);
        barShown = true;
      } else {
        const now = Date.now();
        if (now - lastPlain > 5000 || e.done === e.total) {
          stream.write(line(e) + '\n');
          lastPlain = now;
        }
      }
    },
    result: () => undefined,
    done() {
      if (barShown) stream.write('\r\x1b[K');
      barShown = false;
    },
  };
}
