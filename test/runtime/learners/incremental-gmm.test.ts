// The incremental mixture's arithmetic (runtime/learners/incremental-gmm/): the rank-one
// precision and log-determinant updates against a fresh inversion and a fresh Cholesky of the
// exact weighted moments computed here by brute force, the drift check and refactorization,
// positive definiteness under any updates (fast-check), chi-square quantiles against scipy,
// and the merge criterion against its closed form.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chiSquareQuantile, Component, IncrementalMixture, mergedComponent, mergeGain } from '../../../runtime/learners/incremental-gmm/index.js';
import { Rng } from '../../../stdlib/random.js';

/** Gauss-Jordan inverse with partial pivoting (independent of the library's Cholesky). */
function gaussJordanInverse(m: ArrayLike<number>, D: number): number[] {
  const a = Array.from({ length: D }, (_, i) => [...Array.from({ length: D }, (_, j) => m[i * D + j]!), ...Array.from({ length: D }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < D; c++) {
    let p = c;
    for (let r = c + 1; r < D; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    const piv = a[c]![c]!;
    for (let j = 0; j < 2 * D; j++) a[c]![j] /= piv;
    for (let r = 0; r < D; r++) {
      if (r === c) continue;
      const f = a[r]![c]!;
      for (let j = 0; j < 2 * D; j++) a[r]![j] -= f * a[c]![j]!;
    }
  }
  return a.flatMap((row) => row.slice(D));
}

/** log det by LU (Gaussian elimination with partial pivoting), again independent of Cholesky. */
function luLogDet(m: ArrayLike<number>, D: number): number {
  const a = Array.from({ length: D }, (_, i) => Array.from({ length: D }, (_, j) => m[i * D + j]!));
  let s = 0;
  for (let c = 0; c < D; c++) {
    let p = c;
    for (let r = c + 1; r < D; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    s += Math.log(Math.abs(a[c]![c]!));
    for (let r = c + 1; r < D; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let j = c; j < D; j++) a[r]![j] -= f * a[c]![j]!;
    }
  }
  return s;
}

const maxAbs = (v: ArrayLike<number>): number => Array.from(v).reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const relErr = (got: ArrayLike<number>, want: ArrayLike<number>): number => maxAbs(Array.from(got, (g, i) => g - want[i]!)) / maxAbs(want);

/** Correlated rows: x = A z + b. */
function rowSource(D: number, seed: number): () => number[] {
  const rng = new Rng(seed);
  const A = Array.from({ length: D * D }, () => rng.normal() * 0.7);
  const b = Array.from({ length: D }, () => rng.normal() * 3);
  return () => {
    const z = Array.from({ length: D }, () => rng.normal());
    return b.map((bb, i) => bb + z.reduce((s, zz, j) => s + A[i * D + j]! * zz, 0) + 0.3 * z[i]!);
  };
}

describe('rank-one updates', () => {
  it('after 100k updates equal a fresh inversion and a fresh log-determinant of the exact moments to 1e-9', () => {
    const D = 5;
    const N = 100_000;
    const next = rowSource(D, 11);
    const rng = new Rng(12);
    const first = next();
    const initVar = [0.5, 1, 2, 0.25, 1.5];
    const c = new Component(first, initVar, 1, true);
    const rows: number[][] = [first];
    const wts: number[] = [1];
    let refactored = 0;
    for (let t = 0; t < N; t++) {
      const x = next();
      const w = 0.5 + rng.uniform() * 2; // row weight
      const r = 0.05 + 0.95 * rng.uniform(); // responsibility
      const d2 = c.distance(x);
      if (c.update(w, r, d2)) refactored++;
      rows.push(x);
      wts.push(w * r);
    }
    expect(refactored).toBe(0);
    // Brute force: the weighted moments of every row, the first carrying the initial covariance.
    const n = wts.reduce((a, b) => a + b, 0);
    const mean = Array.from({ length: D }, (_, d) => rows.reduce((s, x, i) => s + wts[i]! * x[d]!, 0) / n);
    const cov = new Array<number>(D * D).fill(0);
    rows.forEach((x, i) => {
      for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) cov[a * D + b] += wts[i]! * (x[a]! - mean[a]!) * (x[b]! - mean[b]!);
    });
    for (let d = 0; d < D; d++) cov[d * (D + 1)] += initVar[d]!;
    for (let e = 0; e < D * D; e++) cov[e] /= n;

    expect(c.count).toBeCloseTo(n, 6);
    expect(relErr(c.mean, mean)).toBeLessThan(1e-9);
    expect(relErr(c.cov, cov)).toBeLessThan(1e-9);
    // No refactorization ran (checkEvery is the mixture's): the precision is 100k Sherman-Morrison steps.
    expect(relErr(c.prec, gaussJordanInverse(cov, D))).toBeLessThan(1e-9);
    expect(Math.abs(c.logDet - luLogDet(cov, D)) / Math.abs(luLogDet(cov, D))).toBeLessThan(1e-9);
    expect(c.drift()).toBeLessThan(1e-9);
  });

  it('diagonal components keep the weighted variances', () => {
    const D = 3;
    const next = rowSource(D, 5);
    const first = next();
    const c = new Component(first, [1, 1, 1], 2, false);
    const rows = [first];
    const wts = [2];
    for (let t = 0; t < 2000; t++) {
      const x = next();
      c.update(1, 0.5, c.distance(x));
      rows.push(x);
      wts.push(0.5);
    }
    const n = wts.reduce((a, b) => a + b, 0);
    for (let d = 0; d < D; d++) {
      const m = rows.reduce((s, x, i) => s + wts[i]! * x[d]!, 0) / n;
      const v = (rows.reduce((s, x, i) => s + wts[i]! * (x[d]! - m) ** 2, 0) + 2 * 1) / n;
      expect(c.cov[d]).toBeCloseTo(v, 10);
      expect(c.prec[d]).toBe(1 / c.cov[d]!);
    }
    expect(c.logDet).toBeCloseTo(Array.from(c.cov).reduce((s, v) => s + Math.log(v), 0), 9);
  });

  it('keeps the precision symmetric positive definite and the inverse of the covariance (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.array(fc.tuple(fc.double({ min: 1e-3, max: 50, noNaN: true }), fc.double({ min: 1e-6, max: 1, noNaN: true }), fc.double({ min: 1e-3, max: 1e3, noNaN: true })), { minLength: 1, maxLength: 200 }),
        (D, seed, steps) => {
          const next = rowSource(D, seed);
          const c = new Component(next(), Array.from({ length: D }, (_, d) => 0.1 + d), 1, true);
          for (const [w, r, spread] of steps) {
            const x = next().map((v) => v * spread);
            c.update(w, r, c.distance(x));
            for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) expect(c.prec[a * D + b]).toBe(c.prec[b * D + a]);
          }
          // Positive definite: a Cholesky of P succeeds (every pivot positive).
          const l = Array.from(c.prec);
          for (let j = 0; j < D; j++) {
            let d = l[j * D + j]!;
            for (let k = 0; k < j; k++) d -= l[j * D + k]! ** 2;
            expect(d).toBeGreaterThan(0);
            l[j * D + j] = Math.sqrt(d);
            for (let i = j + 1; i < D; i++) {
              let s = l[i * D + j]!;
              for (let k = 0; k < j; k++) s -= l[i * D + k]! * l[j * D + k]!;
              l[i * D + j] = s / l[j * D + j]!;
            }
          }
          // Rounding drift grows with the steps and the conditioning: below 1e-12 x steps x the
          // infinity-norm condition number (a step cancels at most 3 digits: CANCELLATION), and a refactorization removes it.
          const norm = (m: Float64Array): number => Math.max(...Array.from({ length: D }, (_, a) => Array.from({ length: D }, (_, b) => Math.abs(m[a * D + b]!)).reduce((x, y) => x + y, 0)));
          expect(c.drift()).toBeLessThanOrEqual(1e-12 * steps.length * norm(c.cov) * norm(c.prec));
          expect(c.refactor()).toBe(true);
          expect(c.drift()).toBeLessThan(1e-9 * norm(c.cov) * norm(c.prec));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a drift check over the threshold refactorizes the precision from the covariance', () => {
    const D = 4;
    const next = rowSource(D, 3);
    const m = new IncrementalMixture({ D, full: true, novelty: 0.999, maxK: 1, initVar: [1, 1, 1, 1], vMin: 0, aMin: 1e9, merge: false, drift: 1e-10, checkEvery: 1e9 });
    for (let t = 0; t < 500; t++) m.observe(next(), 1);
    const c = m.components[0]!;
    const good = Array.from(c.prec);
    c.prec[1] += 1e-6; // damage the precision as accumulated rounding would
    c.prec[D] += 1e-6;
    c.logDet += 1e-6;
    expect(c.drift()).toBeGreaterThan(1e-10);
    m.check(c);
    expect(m.report.refactorizations).toBe(1);
    expect(relErr(c.prec, good)).toBeLessThan(1e-12);
    expect(relErr(c.prec, gaussJordanInverse(c.cov, D))).toBeLessThan(1e-12);
    expect(c.logDet).toBeCloseTo(luLogDet(c.cov, D), 12);
    // Below the threshold nothing is refactorized.
    m.check(c);
    expect(m.report.refactorizations).toBe(1);
    expect(m.report.driftChecks).toBe(2);
  });

  it('checks the drift on schedule during a pass', () => {
    const D = 3;
    const next = rowSource(D, 9);
    const m = new IncrementalMixture({ D, full: true, novelty: 0.999, maxK: 1, initVar: [1, 1, 1], vMin: 0, aMin: 1e9, merge: false, drift: 1e-10, checkEvery: 100 });
    for (let t = 0; t < 1001; t++) m.observe(next(), 1);
    // 1000 updates after the creating row: a check every 100 updates of the component.
    expect(m.report.driftChecks).toBe(10);
    expect(m.report.maxDrift).toBeLessThan(1e-12);
    expect(m.report.refactorizations).toBe(0);
  });
});

describe('novelty threshold', () => {
  // scipy.stats.chi2.ppf (scripts/make-chi2-references.py)
  const REFS: [number, number, number][] = [
    [0.999, 1, 10.827566170662733],
    [0.999, 2, 13.815510557964274],
    [0.999, 8, 26.12448155837614],
    [0.999, 16, 39.252354790768464],
    [0.95, 1, 3.841458820694124],
    [0.5, 3, 2.3659738843753377],
    [0.9999, 32, 70.57124757534285],
    [0.01, 5, 0.5542980767282772],
  ];
  it.each(REFS)('chi-square(%s, D = %s) matches scipy', (p, D, want) => {
    expect(Math.abs(chiSquareQuantile(p, D) - want) / want).toBeLessThan(1e-9);
  });

  it('a row far from every component creates one; a near row updates', () => {
    const m = new IncrementalMixture({ D: 2, full: true, novelty: 0.999, maxK: 5, initVar: [1, 1], vMin: 0, aMin: 1e9, merge: false, drift: 1e-10, checkEvery: 1000 });
    m.observe([0, 0], 1);
    // squared distance 13 < 13.8155: an update
    m.observe([Math.sqrt(13) * Math.sqrt(1 / 1), 0], 1);
    expect(m.components.length).toBe(1);
    m.observe([100, 100], 1);
    expect(m.components.length).toBe(2);
    expect(m.report.created).toBe(3 - 1);
  });

  it('at max_k no component is created', () => {
    const m = new IncrementalMixture({ D: 1, full: true, novelty: 0.999, maxK: 2, initVar: [1], vMin: 0, aMin: 1e9, merge: false, drift: 1e-10, checkEvery: 1000 });
    for (const x of [0, 100, 200, 300]) m.observe([x], 1);
    expect(m.components.length).toBe(2);
  });

  it('prunes a component whose count stays below v_min after a_min rows', () => {
    const m = new IncrementalMixture({ D: 1, full: true, novelty: 0.999, maxK: 5, initVar: [1], vMin: 3, aMin: 50, merge: false, drift: 1e-10, checkEvery: 1000 });
    const rng = new Rng(1);
    m.observe([0], 1);
    m.observe([1000], 1); // an outlier: its own component, never fed again
    for (let t = 0; t < 98; t++) m.observe([0.3 * rng.normal()], 1);
    expect(m.components.length).toBe(1);
    expect(m.report.pruned).toBe(1);
  });
});

describe('merging', () => {
  function pair(d: number, s2: number): [Component, Component] {
    const D = 3;
    const a = new Component([0, 0, 0], [s2, s2, s2], 100, true);
    const b = new Component([d, 0, 0], [s2, s2, s2], 100, true);
    return [a, b];
  }
  it('gains -1/2 log(1 + d^2 / (4 s^2)) + log 2 per row for two equal spherical Gaussians d apart', () => {
    for (const [d, s2] of [[0.5, 1], [3, 2], [10, 1], [1e-3, 1e-6]] as const) {
      const [a, b] = pair(d, s2);
      expect(mergeGain(a, b)).toBeCloseTo(-0.5 * Math.log(1 + (d * d) / (4 * s2)) + Math.log(2), 10);
      const m = mergedComponent(a, b)!;
      expect(Array.from(m.mean)).toEqual([d / 2, 0, 0]);
      expect(m.count).toBe(200);
      // Pooled covariance: s2 I + (d/2)^2 e1 e1^T.
      expect(Array.from(m.cov)).toEqual([s2 + (d * d) / 4, 0, 0, 0, s2, 0, 0, 0, s2]);
    }
  });
  it('merges below 2 sqrt(3) standard deviations apart and not above', () => {
    expect(mergeGain(...pair(2 * Math.sqrt(3) * 0.99, 1))).toBeGreaterThan(0);
    expect(mergeGain(...pair(2 * Math.sqrt(3) * 1.01, 1))).toBeLessThan(0);
  });
});
