// A seeded random number generator (xoshiro128**, seeded by splitmix32) with the samplers
// the distributions need. Every random choice in pmix goes through one, so a seed makes a
// run repeatable on any platform.

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | undefined;

  constructor(seed: number) {
    let z = (Math.floor(seed) >>> 0) ^ 0x9e3779b9;
    const next = (): number => {
      z = (z + 0x9e3779b9) | 0;
      let t = z ^ (z >>> 16);
      t = Math.imul(t, 0x21f0aaad);
      t ^= t >>> 15;
      t = Math.imul(t, 0x735a2d97);
      t ^= t >>> 15;
      return t >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next 32 random bits. */
  private nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform on (0, 1): safe to take a log of. */
  uniformOpen(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    return u;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A seed for a child generator (restarts, workers). */
  fork(): Rng {
    return new Rng(this.nextU32());
  }

  /** Standard normal (Marsaglia polar method). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const m = Math.sqrt((-2 * Math.log(s)) / s);
        this.spare = v * m;
        return u * m;
      }
    }
  }

  /** Gamma(shape, 1) (Marsaglia and Tsang 2000; boosted for shape < 1). */
  gamma(shape: number): number {
    if (shape < 1) {
      const u = this.uniformOpen();
      return this.gamma(shape + 1) * Math.pow(u, 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniformOpen();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    return x / (x + y);
  }

  /** Poisson(rate): inversion for small rates, PTRS-free normal-gamma split for large ones. */
  poisson(rate: number): number {
    if (rate <= 0) return 0;
    if (rate < 30) {
      const l = Math.exp(-rate);
      let k = 0;
      let p = this.uniform();
      while (p > l) {
        k++;
        p *= this.uniform();
      }
      return k;
    }
    // Split: a Gamma-distributed arrival time decides which side of m the count falls.
    const m = Math.floor(rate * 0.875);
    const g = this.gamma(m);
    if (g > rate) return this.binomial(m - 1, rate / g);
    return m + this.poisson(rate - g);
  }

  /** Binomial(n, p) by splitting with a beta draw for large n, Bernoulli sums for small n. */
  binomial(n: number, p: number): number {
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    if (n < 40) {
      let k = 0;
      for (let i = 0; i < n; i++) if (this.uniform() < p) k++;
      return k;
    }
    const a = 1 + Math.floor(n / 2);
    const b = n + 1 - a;
    const x = this.beta(a, b);
    if (x >= p) return this.binomial(a - 1, p / x);
    return a + this.binomial(b - 1, (p - x) / (1 - x));
  }

  /** An index drawn with probabilities proportional to w (non-negative, not all zero). */
  categorical(w: ArrayLike<number>, offset = 0, length = w.length - offset): number {
    let total = 0;
    for (let i = 0; i < length; i++) total += w[offset + i]!;
    let u = this.uniform() * total;
    for (let i = 0; i < length; i++) {
      u -= w[offset + i]!;
      if (u < 0) return i;
    }
    for (let i = length - 1; i >= 0; i--) if (w[offset + i]! > 0) return i;
    return length - 1;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
