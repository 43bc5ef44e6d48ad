// A small, fast, seeded PRNG so corruptions (noise, damage masks) are reproducible.
// sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), seeded through splitmix32.

function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) | 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [state, z >>> 0];
}

const TWO_POW_32 = 4294967296;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

// log(k!) for small k from a table, Stirling series beyond (error < 1e-10 for k >= 64).
const LOG_FACT_TABLE = (() => {
  const t = new Float64Array(64);
  for (let k = 1; k < 64; k++) t[k] = t[k - 1]! + Math.log(k);
  return t;
})();

function logFactorial(k: number): number {
  if (k < 64) return LOG_FACT_TABLE[k]!;
  const n = k + 1;
  const inv = 1 / n;
  const inv2 = inv * inv;
  return (n - 0.5) * Math.log(n) - n + LOG_SQRT_2PI + inv * (1 / 12 - inv2 * (1 / 360 - inv2 / 1260));
}

export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  private spare = 0;
  private hasSpare = false;

  /** Same seed, same sequence. Any finite number works (integers up to 2^53 are all distinct). */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng seed must be a finite number, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    const frac = Math.floor((seed - Math.floor(seed)) * TWO_POW_32) >>> 0;
    let s = lo;
    let v: number;
    [s, v] = splitmix32(s ^ hi);
    this.a = v ^ frac;
    [s, v] = splitmix32(s);
    this.b = v ^ hi;
    [s, v] = splitmix32(s);
    this.c = v;
    [, v] = splitmix32(s);
    this.d = v;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const a = this.a | 0;
    const b = this.b | 0;
    const c = this.c | 0;
    const d = this.d | 0;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller; the second value of each pair is cached). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const u1 = 1 - this.next(); // (0, 1]
    const u2 = this.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    this.hasSpare = true;
    return r * Math.cos(theta);
  }

  /**
   * Poisson-distributed integer with mean lambda. Exact at every lambda: Knuth's product
   * method below 10, Hörmann's transformed rejection (PTRS, 1993) above.
   */
  poisson(lambda: number): number {
    if (!(lambda >= 0) || !Number.isFinite(lambda)) {
      throw new RangeError(`poisson() needs a finite lambda >= 0, got ${lambda}`);
    }
    if (lambda === 0) return 0;
    if (lambda < 10) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = this.next();
      while (p > limit) {
        k++;
        p *= this.next();
      }
      return k;
    }
    const slam = Math.sqrt(lambda);
    const loglam = Math.log(lambda);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.next() - 0.5;
      const v = this.next();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (
        Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <=
        -lambda + k * loglam - logFactorial(k)
      ) {
        return k;
      }
    }
  }
}
