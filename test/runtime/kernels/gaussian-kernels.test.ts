// The Normal leaf on the registered WebAssembly kernels (complete rows) and the reference loops
// (rows with missing cells) against the reference alone: log-densities and M-steps for every
// variant, D = 1 included, on random parameters and data with missing cells, row counts that
// cross the kernels' blocks, zero weights and frozen roles.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useFusedKernels } from '../../../runtime/evaluate.js';
import { gaussianKernels } from '../../../runtime/kernels/gaussian-kernels.js';
import { NotPositiveDefiniteError } from '../../../stdlib/distributions/gaussian.js';
import { normal } from '../../../stdlib/distributions/normal.js';
import { normalMstep } from '../../../stdlib/distributions/normal-fit.js';
import { normalKernels } from '../../../stdlib/distributions/normal-kernels.js';
import { logDensityRef } from '../../../stdlib/distributions/normal-ref.js';
import type { LayerContext, LayerParams } from '../../../stdlib/distributions/types.js';
import { Rng } from '../../../stdlib/random.js';

interface Case {
  ctx: LayerContext;
  p: LayerParams;
  x: Float64Array;
  n: number;
  resp: Float64Array;
}

/** A A^T / D + shift I: SPD, with a condition number kept moderate. */
function spd(D: number, rng: Rng): Float64Array {
  const a = Float64Array.from({ length: D * D }, () => rng.normal());
  const m = new Float64Array(D * D);
  for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) for (let k = 0; k < D; k++) m[i * D + j] += (a[i * D + k]! * a[j * D + k]!) / D;
  for (let i = 0; i < D; i++) m[i * D + i] += 0.2 + rng.uniform();
  return m;
}

function makeCase(seed: number, variant: string, K: number, D: number, n: number, missing: number): Case {
  const rng = new Rng(seed);
  const scale = 0.5 + 5 * rng.uniform();
  const offset = 10 * (rng.uniform() - 0.5);
  const ctx: LayerContext = { units: K, dims: D, variant, levels: new Array<number>(D).fill(0) };
  const p: LayerParams = { mean: Float64Array.from({ length: K * D }, () => offset + scale * rng.normal()) };
  if (variant === 'diag') p['var'] = Float64Array.from({ length: K * D }, () => scale * scale * (0.1 + rng.uniform()));
  else if (variant === 'spherical') p['var'] = Float64Array.from({ length: K }, () => scale * scale * (0.1 + rng.uniform()));
  else if (variant === 'tied') p['cov'] = spd(D, rng).map((v) => v * scale * scale);
  else {
    const cov = new Float64Array(K * D * D);
    for (let u = 0; u < K; u++) cov.set(spd(D, rng).map((v) => v * scale * scale), u * D * D);
    p['cov'] = cov;
  }
  const x = Float64Array.from({ length: n * D }, () => (rng.uniform() < missing ? NaN : offset + scale * 1.5 * rng.normal()));
  if (n > 3 && missing > 0) x.fill(NaN, 0, D); // a row with every cell missing
  const resp = Float64Array.from({ length: n * K }, () => (rng.uniform() < 0.15 ? 0 : rng.uniform()));
  return { ctx, p, x, n, resp };
}

/** Largest |got - want| / max(floor, |want|) over all entries. */
function relErr(got: ArrayLike<number>, want: ArrayLike<number>, floor = 1): number {
  let e = 0;
  for (let i = 0; i < want.length; i++) {
    if (got[i] === want[i]) continue;
    e = Math.max(e, Math.abs(got[i]! - want[i]!) / Math.max(floor, Math.abs(want[i]!)));
  }
  return e;
}

const arb = fc.record({
  seed: fc.integer({ min: 0, max: 1e9 }),
  variant: fc.constantFrom('full', 'diag', 'spherical', 'tied'),
  K: fc.integer({ min: 1, max: 9 }),
  D: fc.integer({ min: 1, max: 7 }),
  n: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 250, max: 700 })),
  missing: fc.constantFrom(0, 0, 0.05, 0.3),
});

describe('Normal leaf on the fused kernels', () => {
  beforeAll(() => useFusedKernels(true));
  afterAll(() => useFusedKernels(true));

  it('is registered and runs on wasm SIMD here', () => {
    expect(normalKernels()?.name).toBe('wasm-simd-f64');
  });

  it('log-densities agree with the reference loops to 1e-9', () => {
    fc.assert(
      fc.property(arb, ({ seed, variant, K, D, n, missing }) => {
        const c = makeCase(seed, variant, K, D, n, missing);
        const got = new Float64Array(n * K);
        const want = new Float64Array(n * K);
        normal.logDensity(c.p, c.ctx, c.x, n, got);
        logDensityRef(c.p, c.ctx, c.x, n, want);
        expect(relErr(got, want)).toBeLessThan(1e-9);
      }),
      { numRuns: 150 },
    );
  });

  it('M-steps agree with the reference M-step to 1e-9, frozen roles included', () => {
    fc.assert(
      fc.property(arb, fc.constantFrom('', 'mean', 'cov'), ({ seed, variant, K, D, n, missing }, frozen) => {
        const c = makeCase(seed, variant, K, D, n, missing);
        const role = frozen === 'cov' && (variant === 'diag' || variant === 'spherical') ? 'var' : frozen;
        const opts = { regCovar: 1e-6, fixed: new Set(role ? [role] : []) };
        const got = normal.mstep(c.x, n, c.resp, c.ctx, c.p, opts);
        const want = normalMstep(c.x, n, c.resp, c.ctx, c.p, opts);
        for (const [r, w] of Object.entries(want)) {
          const scale = Math.max(...Array.from(w, Math.abs), 1e-300);
          expect(relErr(got[r]!, w, 1e-6 * scale), r).toBeLessThan(1e-9);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the kernels leave out exactly the rows with a missing cell (no silent fallback)', () => {
    for (const [variant, D] of [['diag', 5], ['full', 3], ['full', 1]] as const) {
      const c = makeCase(17, variant, 3, D, 600, 0.05);
      const bad = Array.from({ length: 600 }, (_, i) => i).filter((i) => c.x.subarray(i * D, (i + 1) * D).some(Number.isNaN));
      const st = gaussianKernels.stats({ x: c.x, dims: D, count: 600 }, c.resp, 3, variant === 'full')!;
      expect(Array.from(st.skipped)).toEqual(bad);
      const out = new Float64Array(1800);
      const rows = { x: c.x, dims: D, count: 600 };
      const k = Float64Array.from({ length: 3 * D }, () => 1);
      const ok = variant === 'diag' ? gaussianKernels.diagLogDensity(rows, 3, c.p['mean']!, k, new Float64Array(3), out) : gaussianKernels.fullLogDensity(rows, 3, new Float64Array(3 * D * D).fill(0.5), new Float64Array(3 * D), new Float64Array(3), out);
      expect(ok).toBe(true);
      expect(Array.from({ length: 600 }, (_, i) => i).filter((i) => Number.isNaN(out[i * 3]!))).toEqual(bad);
    }
  });

  it('units without mass keep their parameters', () => {
    const c = makeCase(3, 'full', 4, 3, 300, 0.05);
    for (let i = 0; i < 300; i++) c.resp[i * 4 + 2] = 0;
    const got = normal.mstep(c.x, 300, c.resp, c.ctx, c.p, { regCovar: 1e-6, fixed: new Set() });
    expect(Array.from(got['cov']!.subarray(18, 27))).toEqual(Array.from(c.p['cov']!.subarray(18, 27)));
    expect(Array.from(got['mean']!.subarray(6, 9))).toEqual(Array.from(c.p['mean']!.subarray(6, 9)));
  });

  it('a covariance that is not positive definite is reported as by the reference', () => {
    const c = makeCase(5, 'full', 3, 2, 10, 0);
    c.p['cov']!.set([1, 2, 2, 1], 4);
    const out = new Float64Array(30);
    expect(() => normal.logDensity(c.p, c.ctx, c.x, 10, out)).toThrow(NotPositiveDefiniteError);
    const d = makeCase(5, 'diag', 3, 2, 10, 0);
    d.p['var']![3] = 0;
    expect(() => normal.logDensity(d.p, d.ctx, d.x, 10, out)).toThrow(NotPositiveDefiniteError);
  });

  it('with the kernels off, the reference runs', () => {
    useFusedKernels(false);
    try {
      expect(normalKernels()).toBeUndefined();
      const c = makeCase(9, 'diag', 3, 4, 50, 0.1);
      const got = new Float64Array(150);
      const want = new Float64Array(150);
      normal.logDensity(c.p, c.ctx, c.x, 50, got);
      logDensityRef(c.p, c.ctx, c.x, 50, want);
      expect(Array.from(got)).toEqual(Array.from(want));
    } finally {
      useFusedKernels(true);
    }
  });
});
