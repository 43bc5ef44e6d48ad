/** Short, consistent text for numbers the interface shows. */

/** "45 s", "3 min 05 s", "1 h 12 min"; "" for unknown. */
export function formatEta(seconds: number | undefined | null): string {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds) || seconds < 0) return '';
  const s = Math.round(seconds);
  if (s < 1) return 'less than 1 s';
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const m = Math.floor(s / 60);
    return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  }
  const h = Math.floor(s / 3600);
  return `${h} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/**
 * Seconds left from how long the job has run and how far it is; undefined until there is
 * enough to go on (the first few percent or first second are mostly start-up).
 */
export function estimateEta(elapsedSeconds: number, done: number, total: number): number | undefined {
  if (!(total > 0) || !(done > 0) || done >= total || elapsedSeconds < 1) return done >= total && total > 0 ? 0 : undefined;
  const fraction = done / total;
  if (fraction < 0.02) return undefined;
  return (elapsedSeconds / fraction) * (1 - fraction);
}

/** Fraction 0..1 of a progress event, clamped; NaN-safe. */
export function progressFraction(done: number, total: number): number {
  if (!(total > 0) || !Number.isFinite(done)) return 0;
  return Math.min(1, Math.max(0, done / total));
}

export function formatPercent(fraction: number): string {
  return `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)}%`;
}

/** Zoom as the user reads it: "100%", "33%", "1600%", "12.5%". */
export function formatZoom(scale: number): string {
  const p = scale * 100;
  if (p >= 10) return `${Math.round(p)}%`;
  return `${Math.round(p * 10) / 10}%`;
}

export function formatDb(psnr: number): string {
  if (!Number.isFinite(psnr)) return psnr > 0 ? '∞ dB' : '–';
  return `${psnr.toFixed(2)} dB`;
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

export function formatMegapixels(width: number, height: number): string {
  const mp = (width * height) / 1e6;
  return mp >= 10 ? `${mp.toFixed(0)} MP` : mp >= 0.1 ? `${mp.toFixed(1)} MP` : `${mp.toFixed(2)} MP`;
}

export function formatSigma(sigma: number | undefined): string {
  return sigma === undefined || !Number.isFinite(sigma) ? '–' : `σ ${sigma.toFixed(1)}`;
}
