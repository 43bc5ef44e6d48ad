/**
 * Text for numbers the pages show: durations, ETAs, rates, parameter and FLOP counts.
 * Pure functions (no runes) so they are unit-tested.
 */

/** "0 s", "42 s", "3 min 05 s", "1 h 02 min", "2 d 3 h". Negative or non-finite: "–". */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Time left: "about 3 min 05 s", "less than 5 s", or "estimating…" when not known yet. */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return 'estimating…';
  if (seconds < 5) return 'less than 5 s';
  return `about ${formatDuration(seconds)}`;
}

/** 118083 -> "118 k", 1234567 -> "1.23 M", 950 -> "950". */
export function formatCount(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  const a = Math.abs(n);
  const fmt = (v: number): string => String(Number(v.toPrecision(3)));
  if (a >= 1e9) return `${fmt(n / 1e9)} G`;
  if (a >= 1e6) return `${fmt(n / 1e6)} M`;
  if (a >= 1e3) return `${fmt(n / 1e3)} k`;
  return fmt(n);
}

/** A rate with sensible precision: 0.123 -> "0.12", 8.83 -> "8.8", 123.4 -> "123". */
export function formatRate(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  if (v >= 100) return String(Math.round(v));
  if (v >= 10) return v.toFixed(1);
  if (v >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

/** Decibels to two decimals: "29.55 dB". */
export function formatDb(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '–' : `${v.toFixed(2)} dB`;
}

/** Percentage of done/total, clamped to 0-100 (0 when the total is unknown). */
export function percent(done: number, total: number): number {
  if (!(total > 0) || !Number.isFinite(done)) return 0;
  return Math.min(100, Math.max(0, (done / total) * 100));
}

/** The last path segment, for showing "…/photos/2024" style names without the root. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]+/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}
