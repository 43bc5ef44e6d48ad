/**
 * Text for the numbers the interface shows: durations and time left, progress, rates and counts,
 * decibels and SSIM, zoom and megapixels. One module, so the same number reads the same on every
 * page. Pure functions (no runes), unit-tested.
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

/** Fraction 0..1 of a progress event, clamped; NaN-safe. */
export function progressFraction(done: number, total: number): number {
  if (!(total > 0) || !Number.isFinite(done)) return 0;
  return Math.min(1, Math.max(0, done / total));
}

/** Percentage of done/total, clamped to 0-100 (0 when the total is unknown). */
export function percent(done: number, total: number): number {
  return progressFraction(done, total) * 100;
}

/** A fraction as a whole percentage: "42%". */
export function formatPercent(fraction: number): string {
  return `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)}%`;
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

/** Decibels to two decimals: "29.55 dB"; "∞ dB" for identical images; "–" when unknown. */
export function formatDb(v: number | undefined): string {
  if (v === Infinity) return '∞ dB';
  return v === undefined || !Number.isFinite(v) ? '–' : `${v.toFixed(2)} dB`;
}

/** Signed difference, "+3.21 dB" / "−0.40 dB". */
export function formatGain(db: number): string {
  if (!Number.isFinite(db)) return '–';
  const v = Math.abs(db) < 0.005 ? 0 : db;
  return `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v).toFixed(2)} dB`;
}

export function formatSsim(ssim: number): string {
  return Number.isFinite(ssim) ? ssim.toFixed(4) : '–';
}

/** Zoom as the user reads it: "100%", "33%", "1600%", "12.5%". */
export function formatZoom(scale: number): string {
  const p = scale * 100;
  if (p >= 10) return `${Math.round(p)}%`;
  return `${Math.round(p * 10) / 10}%`;
}

export function formatMegapixels(width: number, height: number): string {
  const mp = (width * height) / 1e6;
  return mp >= 10 ? `${mp.toFixed(0)} MP` : mp >= 0.1 ? `${mp.toFixed(1)} MP` : `${mp.toFixed(2)} MP`;
}

/** The last path segment, for showing "…/photos/2024" style names without the root. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]+/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}
