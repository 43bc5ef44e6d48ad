/**
 * The photographer's Amount control (0-100) and the noise sigma (0-255 scale) it stands for,
 * shared by the engine (core/infer/denoise.ts) and the interface's Denoise panel.
 */

/** Highest level Amount reaches (Amount 100), the top of the shipped denoisers' training range. */
const AMOUNT_FULL_SIGMA = 55;

/**
 * Amount 0-100 -> sigma 0-55, quadratic, so the low levels real photos need (sigma 3-15:
 * Amount 23-52) get most of the slider's travel.
 */
export function sigmaForAmount(amount: number): number {
  return AMOUNT_FULL_SIGMA * (amount / 100) ** 2;
}

/** The inverse of sigmaForAmount, clamped to 0-100 and rounded to a whole step. */
export function amountForSigma(sigma: number): number {
  return Math.round(Math.min(100, 100 * Math.sqrt(Math.max(0, sigma) / AMOUNT_FULL_SIGMA)));
}
