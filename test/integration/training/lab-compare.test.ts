// The autoencoder lab's "Done when" numbers: every variant trained on the same patches with the
// same code size (runLabCompare), then the sparse variants reach their sparsity targets, the
// contractive variant has a lower Jacobian norm than the plain one at equal reconstruction
// error, and the linear autoencoder matches PCA's reconstruction error within 2%.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/core/runtime/backend.js';
import { jacobianAtError, KL_TOLERANCE, L1_SPARSITY_TARGET, runLabCompare, type LabCompareResult, type LabVariantId } from '../../../src-main/core/lab/compare.js';

let r: LabCompareResult;
const v = (id: LabVariantId) => r.variants.find((x) => x.id === id)!;
const events: { variant?: number; step?: number }[] = [];

beforeAll(async () => {
  await initBackend('wasm');
  const t0 = performance.now();
  r = await runLabCompare({ seed: 1, onEvent: (e) => e.type === 'progress' && e.stage === 'lab' && events.push(e.metrics ?? {}) });
  console.log(`lab compare: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const x of r.variants) {
    console.log(`${x.label.padEnd(20)} mse ${x.mse.toFixed(4)} psnr ${x.psnr.toFixed(2)} near0 ${x.nearZero.toFixed(3)} mean ${x.meanActivation.toFixed(3)} J ${x.jacobian.toFixed(3)} denoise ${x.denoisePsnr.toFixed(2)} (${x.seconds.toFixed(1)} s)`);
  }
  console.log('noisy', r.noisyPsnr.toFixed(2), 'matched', r.matched);
}, 180_000);

describe('lab compare', () => {
  it('trains every variant with the same code size and reports curves', () => {
    expect(r.variants.map((x) => x.id)).toEqual(['pca', 'linear', 'undercomplete', 'sparse-l1', 'sparse-kl', 'denoising', 'contractive']);
    for (const x of r.variants) {
      expect(x.filters.length).toBe(64 * 16);
      expect(Number.isFinite(x.mse) && Number.isFinite(x.jacobian) && Number.isFinite(x.denoisePsnr)).toBe(true);
      if (x.id !== 'pca') {
        expect(x.curve.length).toBeGreaterThan(10);
        // It learned: the test error fell well below where it started.
        expect(x.curve[x.curve.length - 1]!.mse).toBeLessThan(0.6 * x.curve[0]!.mse);
      }
    }
    expect(new Set(events.map((e) => e.variant)).size).toBe(6);
  });

  it('linear autoencoder matches PCA within 2%', () => {
    const ratio = v('linear').mse / v('pca').mse;
    console.log('linear/PCA error ratio', ratio.toFixed(4));
    expect(Math.abs(ratio - 1)).toBeLessThanOrEqual(0.02);
  });

  it('sparse variants reach their sparsity targets', () => {
    const l1 = v('sparse-l1');
    const kl = v('sparse-kl');
    expect(l1.target?.reached).toBe(true);
    expect(l1.nearZero).toBeGreaterThanOrEqual(L1_SPARSITY_TARGET);
    expect(Math.abs(kl.meanActivation - 0.05)).toBeLessThanOrEqual(KL_TOLERANCE * 0.05);
    expect(kl.target?.reached).toBe(true);
    // Far sparser than the unregularized code of the same size.
    expect(l1.nearZero).toBeGreaterThan(3 * v('undercomplete').nearZero);
    expect(kl.meanActivation).toBeLessThan(0.5 * v('undercomplete').meanActivation);
  });

  it('contractive has a lower Jacobian norm than plain at equal reconstruction error', () => {
    const m = r.matched!;
    const plain = v('undercomplete').curve;
    // The plain model did reach the contractive one's error during training (a real match).
    expect(jacobianAtError(plain, m.mse)).toBeDefined();
    expect(m.contractiveJacobian).toBeLessThan(0.75 * m.plainJacobian);
  });
});
