/** Random training patches with the 8 flips/rotations of the square (data augmentation). */
import { type Rng } from '../math/rng.js';
import { type Raster } from '../image/raster.js';

/**
 * Fills `out` ([count, size, size, C]) with patches cut at random places of random images,
 * each under a random one of the 8 dihedral transforms.
 */
export function samplePatches(images: Raster[], count: number, size: number, rng: Rng, out?: Float32Array): Float32Array {
  const c = images[0].channels;
  const dst = out ?? new Float32Array(count * size * size * c);
  for (let n = 0; n < count; n++) {
    const img = images[rng.int(images.length)];
    const x0 = rng.int(img.width - size + 1);
    const y0 = rng.int(img.height - size + 1);
    const t = rng.int(8);
    const base = n * size * size * c;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        // Map the output position through the transform: bit 0 flips x, bit 1 flips y, bit 2 transposes.
        let sx = t & 1 ? size - 1 - x : x;
        let sy = t & 2 ? size - 1 - y : y;
        if (t & 4) [sx, sy] = [sy, sx];
        const src = ((y0 + sy) * img.width + (x0 + sx)) * c;
        const d = base + (y * size + x) * c;
        for (let k = 0; k < c; k++) dst[d + k] = img.data[src + k];
      }
    }
  }
  return dst;
}
