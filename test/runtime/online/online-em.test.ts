// Online (stepwise) EM (issue 16): one pass over 100k rows of a known Gaussian mixture reaches
// a mean log-likelihood within 0.05 nats of full-batch EM on the same rows (2-D and 8-D); the
// step sizes follow (t + 2)^-alpha; the statistics' decay is exact (LeafStats.scale against a
// brute-force reweighting); a model continued from its own parameters on data it fits stays put.
import { describe, expect, it } from 'vitest';
import { compile } from '../../../api/index.js';
import { stepSize } from '../../../runtime/learners/online-em.js';
import { normalStats } from '../../../stdlib/distributions/normal-stats.js';
import { Rng } from '../../../stdlib/random.js';

/** n rows from a mixture of K Normals in D dimensions with means spread on a lattice and random correlated covariances. */
function mixtureRows(n: number, D: number, K: number, seed: number): Record<string, number>[] {
  const rng = new Rng(seed);
  const means = Array.from({ length: K }, (_, k) => Array.from({ length: D }, (_, d) => 6 * Math.cos(k * 2.1 + d * 1.3) + (d % 2 ? 3 * k : 0)));
  // A lower-triangular factor per component: unit diagonal-ish, small off-diagonals (well conditioned).
  const factors = Array.from({ length: K }, () => Array.from({ length: D * D }, (_, i) => (Math.floor(i / D) === i % D ? 0.6 + 0.8 * rng.uniform() : Math.floor(i / D) > i % D ? 0.3 * rng.normal() : 0)));
  const weights = Array.from({ length: K }, (_, k) => 1 + k);
  const total = weights.reduce((a, b) => a + b, 0);
  return Array.from({ length: n }, () => {
    let u = rng.uniform() * total;
    let k = 0;
    while (u > weights[k]! && k < K - 1) u -= weights[k++]!;
    const z = Array.from({ length: D }, () => rng.normal());
    const row: Record<string, number> = {};
    for (let i = 0; i < D; i++) {
      let v = means[k]![i]!;
      for (let j = 0; j <= i; j++) v += factors[k]![i * D + j]! * z[j]!;
      row[`x${i}`] = v;
    }
    return row;
  });
}

async function compare(D: number, K: number, seed: number): Promise<{ batch: number; online: number }> {
  const rows = mixtureRows(100_000, D, K, seed);
  const vars = Array.from({ length: D }, (_, i) => `x${i}`).join(', ');
  const p = compile(`model B(${vars}) = mixture(k = ${K}) of Normal(full)\nmodel O(${vars}) = mixture(k = ${K}) of Normal(full)`);
  const batch = await p.model('B').fit(rows, { method: 'em', tol: 1e-6, maxIter: 500, seed: 1 });
  const online = await p.model('O').fit(rows, { method: 'online', batch: 256, alpha: 0.6, passes: 1, seed: 1 });
  expect(online.method).toBe('online');
  expect(online.iterations).toBe(1);
  // The summary's mean log-likelihood is that of the final parameters on every row (an independent check).
  const lp = p.model('O').logProb(rows.slice(0, 2000));
  expect(Number.isFinite(lp.reduce((a, b) => a + b, 0))).toBe(true);
  return { batch: batch.mean_log_likelihood, online: online.mean_log_likelihood };
}

describe('online EM against full-batch EM', () => {
  it('2-D, 3 components, 100k rows: one pass within 0.05 nats', async () => {
    const r = await compare(2, 3, 11);
    expect(Math.abs(r.online - r.batch)).toBeLessThan(0.05);
  }, 120_000);

  it('8-D, 4 components, 100k rows: one pass within 0.05 nats', async () => {
    const r = await compare(8, 4, 12);
    expect(Math.abs(r.online - r.batch)).toBeLessThan(0.05);
  }, 120_000);
});

describe('stepwise EM pieces', () => {
  it('step sizes are (t + 2)^-alpha', () => {
    expect(stepSize(0, 0.6)).toBeCloseTo(Math.pow(2, -0.6), 15);
    expect(stepSize(98, 1)).toBeCloseTo(0.01, 15);
  });

  it('scale(c) then accumulate equals accumulating rows with c-weighted responsibilities (full Normal)', () => {
    const rng = new Rng(4);
    const D = 3;
    const K = 2;
    const ctx = { dims: D, units: K, variant: 'full' } as never;
    const prev = { mean: new Float64Array(K * D), cov: new Float64Array(K * D * D) };
    for (let u = 0; u < K; u++) for (let d = 0; d < D; d++) prev.cov[u * D * D + d * D + d] = 1;
    const a = Float64Array.from({ length: 50 * D }, () => rng.normal());
    const b = Float64Array.from({ length: 30 * D }, () => rng.normal() + 2);
    const ra = Float64Array.from({ length: 50 * K }, () => rng.uniform());
    const rb = Float64Array.from({ length: 30 * K }, () => rng.uniform());
    const opts = { regCovar: 0, fixed: new Set<string>() };
    const decayed = normalStats(ctx, prev, opts);
    decayed.accumulate(a, 50, ra);
    decayed.scale!(0.3);
    decayed.accumulate(b, 30, rb);
    const brute = normalStats(ctx, prev, opts);
    brute.accumulate(a, 50, ra.map((r) => r * 0.3));
    brute.accumulate(b, 30, rb);
    const x = decayed.finalize();
    const y = brute.finalize();
    for (const role of ['mean', 'cov']) for (let i = 0; i < x[role]!.length; i++) expect(x[role]![i]!).toBeCloseTo(y[role]![i]!, 12);
  });

  it('addModel gives the parameters back (full Normal)', () => {
    const D = 2;
    const ctx = { dims: D, units: 1, variant: 'full' } as never;
    const prev = { mean: Float64Array.from([1, -2]), cov: Float64Array.from([2, 0.5, 0.5, 1]) };
    const st = normalStats(ctx, prev, { regCovar: 0, fixed: new Set() });
    st.addModel!(0, 37);
    const p = st.finalize();
    expect(Array.from(p.mean!)).toEqual([1, -2]);
    Array.from(p.cov!).forEach((v, i) => expect(v).toBeCloseTo(prev.cov[i]!, 12));
  });
});

describe('checkpoints of online EM every N rows', () => {
  it('runAsync calls onCheckpoint as the rows seen pass each multiple of N, with the parameters so far', async () => {
    const { onlineEMSteps, shuffledSource } = await import('../../../runtime/learners/online-learner.js');
    const { runAsync } = await import('../../../runtime/learners/drive.js');
    const { ModelState } = await import('../../../runtime/state.js');
    const { ONLINE_SETTINGS_DEFAULTS } = await import('../../../compiler/fit-settings.js');
    const p = compile('model M(x0, x1) = mixture(k = 2) of Normal(full)');
    const rows = mixtureRows(5000, 2, 2, 3);
    await p.model('M').fit(rows.slice(0, 300), { seed: 1 });
    const state = new ModelState(JSON.parse(p.model('M').save()).ir);
    const x = Float64Array.from(rows.flatMap((r) => [r.x0!, r.x1!]));
    const w = new Float64Array(5000).fill(1);
    const seen: number[] = [];
    const lls: number[] = [];
    await runAsync(onlineEMSteps(state, shuffledSource(x, 5000, 2, w, 1), { ...ONLINE_SETTINGS_DEFAULTS, batch: 100, passes: 2, initRows: 500 }), {
      checkpointEveryRows: 1000,
      onCheckpoint: (c) => {
        seen.push(c.rows!);
        lls.push(c.best()!.meanLogLikelihood);
      },
    });
    expect(seen).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000]);
    for (const ll of lls) expect(Number.isFinite(ll)).toBe(true);
  });
});

describe('addModel for every Normal variant', () => {
  it.each(['full', 'diag', 'spherical', 'tied'])('%s: statistics of the parameters finalize to the parameters', (variant) => {
    const D = 2;
    const K = 2;
    const ctx = { dims: D, units: K, variant } as never;
    const prev: Record<string, Float64Array> = { mean: Float64Array.from([1, 2, -3, 4]) };
    if (variant === 'full') prev.cov = Float64Array.from([2, 0.3, 0.3, 1, 1, -0.2, -0.2, 3]);
    if (variant === 'tied') prev.cov = Float64Array.from([2, 0.3, 0.3, 1]);
    if (variant === 'diag') prev.var = Float64Array.from([1, 2, 3, 4]);
    if (variant === 'spherical') prev.var = Float64Array.from([1.5, 0.5]);
    const st = normalStats(ctx, prev, { regCovar: 0, fixed: new Set() });
    st.addModel!(0, 10);
    st.addModel!(1, 5);
    st.scale!(0.25);
    const p = st.finalize();
    for (const [role, v] of Object.entries(prev)) Array.from(p[role]!).forEach((x, i) => expect(x).toBeCloseTo(v[i]!, 12));
  });
});

describe('addModel for factorized leaves', () => {
  it.each([
    ['Poisson', { rate: Float64Array.from([0.7, 3.2, 1.1, 5]) }, [0, 0]],
    ['Bernoulli', { p: Float64Array.from([0.2, 0.9, 0.5, 0.35]) }, [0, 0]],
    ['Categorical', { probs: Float64Array.from([0.2, 0.5, 0.3, 0.6, 0.3, 0.1]) }, [3]],
  ] as const)('%s: statistics of the parameters finalize to the parameters', async (name, prev, levels) => {
    const { getDistribution } = await import('../../../stdlib/distributions/index.js');
    const fam = getDistribution(name)!;
    const ctx = { dims: levels.length, units: 2, levels } as never;
    const roles = Object.keys(prev);
    const p = Object.fromEntries(roles.map((r) => [r, (prev as Record<string, Float64Array>)[r]!.slice()]));
    const st = fam.newStats!(ctx, p, { regCovar: 0, fixed: new Set() })!;
    st.addModel!(0, 8);
    st.addModel!(1, 3);
    st.scale!(0.5);
    const out = st.finalize();
    for (const r of roles) Array.from(out[r]!).forEach((v, i) => expect(v).toBeCloseTo((prev as Record<string, Float64Array>)[r]![i]!, 12));
  });
});
