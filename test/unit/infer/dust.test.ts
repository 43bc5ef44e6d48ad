// Sensor dust and hot pixels over a shoot: generated frames of changing content share dust
// spots and hot pixels at fixed places; the finder must recover at least 90% of them with at
// most 10% false spots, and make one mask that covers them.
import { describe, expect, it } from 'vitest';
import { findShootDefects, ShootDefectFinder } from '../../../src-main/core/infer/dust.js';
import { MendError } from '../../../src-main/shared/errors.js';
import { dustyShoot, scoreSpots } from '../../helpers/shoot.js';

describe('shoot dust and hot pixel finder', () => {
  for (const seed of [1, 2, 3]) {
    it(`recovers >= 90% of the spots with <= 10% false ones (shoot ${seed})`, async () => {
      const t0 = performance.now();
      const shoot = dustyShoot(16, 320, 240, seed);
      const res = await findShootDefects(shoot.frames.map((f, i) => ({ name: `f${i}`, read: async () => f })));
      const s = scoreSpots(shoot.spots, res.spots);
      console.log(`shoot ${seed}: ${res.spots.length} found, recall ${s.recall.toFixed(3)}, false ${s.falseRate.toFixed(3)}, ${(performance.now() - t0).toFixed(0)} ms`,
        s.missed.map((m) => `${m.kind} r${m.radius.toFixed(1)} s${m.strength.toFixed(2)}`), s.extra);
      expect(s.recall).toBeGreaterThanOrEqual(0.9);
      expect(s.falseRate).toBeLessThanOrEqual(0.1);
      // The mask covers the centre of every spot it found and is small.
      for (const sp of res.spots) expect(res.mask[Math.round(sp.y) * 320 + Math.round(sp.x)]).toBe(1);
      let masked = 0;
      for (const m of res.mask) masked += m;
      expect(masked / res.mask.length).toBeLessThan(0.05);
    });
  }

  it('finds nothing in clean frames', async () => {
    const shoot = dustyShoot(16, 240, 180, 9, 0, 0);
    const res = await findShootDefects(shoot.frames.map((f, i) => ({ name: `f${i}`, read: async () => f })));
    expect(res.spots.length).toBe(0);
  });

  it('skips frames of another size and needs two frames', async () => {
    const shoot = dustyShoot(3, 160, 120, 4, 4, 1);
    const finder = new ShootDefectFinder();
    expect(finder.add(shoot.frames[0]!)).toBe(true);
    expect(finder.add({ width: 120, height: 160, channels: 3, data: new Float32Array(120 * 160 * 3) })).toBe(false);
    await expect(findShootDefects([{ name: 'one', read: async () => shoot.frames[0]! }])).rejects.toThrow(MendError);
  });
});
