/**
 * How the Lab page names, colours and explains the autoencoder variants,
 * and small pure helpers for its tables and charts (unit-tested).
 */
import type { LabCompareResult, LabVariantId, LabVariantReport } from '../../../src-main/shared/api.js';

export interface VariantInfo {
  id: LabVariantId;
  label: string;
  color: string;
  /** One line: how its bottleneck is made. */
  hint: string;
}

export const LAB_VARIANTS: VariantInfo[] = [
  { id: 'pca', label: 'PCA', color: '#a1a1aa', hint: 'The linear baseline: projection on the top principal components.' },
  { id: 'linear', label: 'Linear autoencoder', color: '#e6e6e8', hint: 'Undercomplete with a linear code: should match PCA.' },
  { id: 'undercomplete', label: 'Undercomplete', color: '#4f9cf7', hint: 'Sigmoid code, no regularizer: only its size limits it.' },
  { id: 'sparse-l1', label: 'Sparse (L1)', color: '#f0883e', hint: 'ReLU code with an L1 penalty: few units fire per patch.' },
  { id: 'sparse-kl', label: 'Sparse (KL)', color: '#e3b341', hint: 'Sigmoid code pulled to a mean activation rho by a KL term.' },
  { id: 'denoising', label: 'Denoising', color: '#3fb950', hint: 'Trained to rebuild clean patches from noisy ones.' },
  { id: 'contractive', label: 'Contractive', color: '#c678dd', hint: 'Penalizes the encoder Jacobian: codes barely move with the input.' },
];

export const variantInfo = (id: LabVariantId): VariantInfo => LAB_VARIANTS.find((v) => v.id === id)!;

export type Column = 'mse' | 'psnr' | 'nearZero' | 'meanActivation' | 'jacobian' | 'denoisePsnr';

/** Which value of a column is the best across the rows (lower error and Jacobian, higher PSNR and sparsity). */
export function bestOf(rows: LabVariantReport[], column: Column): number | undefined {
  if (column === 'meanActivation' || rows.length === 0) return undefined;
  const values = rows.map((r) => r[column]).filter(Number.isFinite);
  if (values.length === 0) return undefined;
  return column === 'mse' || column === 'jacobian' ? Math.min(...values) : Math.max(...values);
}

/** The sentence under the table about the contractive variant at matched error. */
export function matchedSentence(r: LabCompareResult): string | undefined {
  const m = r.matched;
  if (!m) return undefined;
  const ratio = m.contractiveJacobian / Math.max(1e-12, m.plainJacobian);
  return `At the same reconstruction error (${m.mse.toFixed(4)}), the contractive encoder's Jacobian norm is ${m.contractiveJacobian.toFixed(3)} `
    + `against ${m.plainJacobian.toFixed(3)} for the undercomplete one (${(100 * (1 - ratio)).toFixed(0)}% ${ratio <= 1 ? 'less' : 'more'}).`;
}

/** A sparse variant's target as words: "≥ 70% near zero: reached". */
export function targetText(r: LabVariantReport): string {
  const t = r.target;
  if (!t) return '';
  const what = t.kind === 'near-zero' ? `≥ ${(100 * t.value).toFixed(0)}% near zero` : `mean ${t.value}`;
  return `${what}: ${t.reached ? 'reached' : 'missed'}`;
}
