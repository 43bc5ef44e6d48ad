// The Lab page's pure helpers: variant names and colours, the best value of a column, the
// matched-error sentence and the sparsity target text.
import { describe, expect, it } from 'vitest';
import type { LabCompareResult, LabVariantReport } from '../../../src-main/shared/api.js';
import { LAB_VARIANT_IDS } from '../../../src-main/core/lab/compare.js';
import { bestOf, LAB_VARIANTS, matchedSentence, targetText } from '../../../src-renderer/lib/lab/variants.js';

const row = (over: Partial<LabVariantReport>): LabVariantReport => ({
  id: 'undercomplete', label: 'Undercomplete', activation: 'sigmoid', steps: 1, seconds: 1, mse: 0.1, psnr: 30, nearZero: 0.1,
  meanActivation: 0.3, jacobian: 1, denoisePsnr: 25, curve: [], filters: {} as never, reconstructions: {} as never, denoised: {} as never,
  ...over,
});

describe('lab variants', () => {
  it('lists the variants in the order the engine reports them (progress events index into it)', () => {
    expect(LAB_VARIANTS.map((v) => v.id)).toEqual([...LAB_VARIANT_IDS]);
    expect(new Set(LAB_VARIANTS.map((v) => v.color)).size).toBe(LAB_VARIANTS.length);
  });

  it('picks the best of a column: lowest error and Jacobian, highest PSNR and sparsity', () => {
    const rows = [row({ mse: 0.2, jacobian: 0.5, psnr: 31, nearZero: 0.7 }), row({ mse: 0.1, jacobian: 2, psnr: 29, nearZero: 0.1 })];
    expect(bestOf(rows, 'mse')).toBe(0.1);
    expect(bestOf(rows, 'jacobian')).toBe(0.5);
    expect(bestOf(rows, 'psnr')).toBe(31);
    expect(bestOf(rows, 'nearZero')).toBe(0.7);
    expect(bestOf(rows, 'meanActivation')).toBeUndefined();
    expect(bestOf([], 'mse')).toBeUndefined();
  });

  it('says the matched-error comparison and the targets in words', () => {
    const r = { matched: { mse: 0.05, plainJacobian: 0.5, contractiveJacobian: 0.25 } } as LabCompareResult;
    expect(matchedSentence(r)).toBe("At the same reconstruction error (0.0500), the contractive encoder's Jacobian norm is 0.250 against 0.500 for the undercomplete one (50% less).");
    expect(matchedSentence({} as LabCompareResult)).toBeUndefined();
    expect(targetText(row({ target: { kind: 'near-zero', value: 0.7, reached: true } }))).toBe('≥ 70% near zero: reached');
    expect(targetText(row({ target: { kind: 'mean-activation', value: 0.05, reached: false } }))).toBe('mean 0.05: missed');
    expect(targetText(row({}))).toBe('');
  });
});
