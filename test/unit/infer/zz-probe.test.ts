import { it } from 'vitest';
import { pushPullFill } from '../../../src-main/core/infer/fill.js';
it('probe', () => {
  const W = 6000, H = 4000;
  const big = { width: W, height: H, channels: 3, data: new Float32Array(W * H * 3).fill(0.4) };
  for (const kind of ['none-ish', 'block', 'scatter']) {
    const bm = new Uint8Array(W * H);
    if (kind === 'scatter') for (let i = 0; i < bm.length; i += 7) bm[i] = 1;
    if (kind !== 'none-ish') for (let y = 1000; y < 1500; y++) bm.fill(1, y * W + 2000, y * W + 3000);
    else bm[5000] = 1;
    for (let r = 0; r < 2; r++) { const t = performance.now(); pushPullFill(big, bm); console.log(kind, 'ms', Math.round(performance.now() - t)); }
  }
  let t = performance.now(); const c = new Float32Array(big.data); console.log('copy', performance.now() - t);
  t = performance.now(); let s = 0; for (let i = 0; i < c.length; i++) s += c[i]!; console.log('sum', performance.now() - t, s > 0);
});
