// Warm starts (issue 16): a loaded artifact is fitted again from its parameters. On the data it
// converged on, the continued fit stops after one or two iterations with the same
// log-likelihood; on new data it moves the parameters toward the new data; its summary says
// it continued; BIC and AIC of a loaded model on rows equal the fit summary's formulas.
import { describe, expect, it } from 'vitest';
import { compile, formatFit, load } from '../../api/index.js';
import { Rng } from '../../stdlib/random.js';

function blobs(n: number, seed: number, shift = 0): { x: number; y: number }[] {
  const rng = new Rng(seed);
  const centres = [
    [0, 0],
    [5, 1],
    [1, 6],
  ];
  return Array.from({ length: n }, (_, i) => {
    const c = centres[i % 3]!;
    return { x: c[0]! + shift + rng.normal(), y: c[1]! + 0.5 * rng.normal() };
  });
}

const meanOf = (a: Float64Array): number => a.reduce((s, v) => s + v, 0) / a.length;

describe('warm start of a loaded mixture', () => {
  it('continues a converged fit on the same data: one or two iterations, the same log-likelihood', async () => {
    const rows = blobs(600, 1);
    const m = compile('model M(x, y) = mixture(k = 3) of Normal(full)').model('M');
    const first = await m.fit(rows, { method: 'em', tol: 1e-12, maxIter: 5000, seed: 2 });
    expect(first.converged).toBe(true);
    const loaded = load(m.save(), { from: 'm.json' });
    const again = await loaded.fit(rows, { tol: 1e-10 });
    expect(again.iterations).toBeLessThanOrEqual(2);
    expect(again.converged).toBe(true);
    expect(Math.abs(again.mean_log_likelihood - first.mean_log_likelihood)).toBeLessThan(1e-9);
    expect(again.continued_from).toBe('m.json');
    expect(formatFit(again)).toContain('continued from m.json, converged after');
    // A cold fit from the same settings takes many more iterations (the warm start is real).
    expect(first.iterations).toBeGreaterThan(again.iterations + 3);
  });

  it('refit on new data moves the parameters toward it', async () => {
    const rows = blobs(600, 1);
    const m = compile('model M(x, y) = mixture(k = 3) of Normal(full)').model('M');
    await m.fit(rows, { method: 'em', tol: 1e-8, maxIter: 500, seed: 2 });
    const loaded = load(m.save());
    const moved = blobs(600, 5, 2);
    const before = meanOf(loaded.logProb(moved));
    const meanXBefore = loaded.query('mean(x)');
    const s = await loaded.fit(moved);
    const after = meanOf(loaded.logProb(moved));
    expect(after).toBeGreaterThan(before + 0.5);
    expect(s.mean_log_likelihood).toBeCloseTo(after, 9);
    const meanXAfter = loaded.query('mean(x)');
    if (meanXBefore.kind !== 'mean' || meanXAfter.kind !== 'mean') throw new Error('expected mean answers');
    // The data's x mean moved by 2: the model's follows.
    expect(meanXAfter.summary[0]!.mean! - meanXBefore.summary[0]!.mean!).toBeGreaterThan(1.5);
    // The artifact of the refitted model loads and answers the same.
    const round = load(loaded.save());
    expect(Array.from(round.logProb(moved.slice(0, 5)))).toEqual(Array.from(loaded.logProb(moved.slice(0, 5))));
  });

  it('bic(rows) and aic(rows) of a loaded model equal the fit summary on its training rows', async () => {
    const rows = blobs(300, 3);
    const m = compile('model M(x, y) = mixture(k = 2) of Normal(diag)').model('M');
    const s = await m.fit(rows, { method: 'em', tol: 1e-6, seed: 1 });
    const loaded = load(m.save());
    // An independent BIC: -2 sum log p + p log n, with p = 2 weights - 1 + 2 x (2 means + 2 variances).
    const ll = loaded.logProb(rows).reduce((a, v) => a + v, 0);
    const p = 1 + 2 * 4;
    expect(s.parameters).toBe(p);
    expect(loaded.bic(rows)).toBeCloseTo(-2 * ll + p * Math.log(rows.length), 8);
    expect(loaded.aic(rows)).toBeCloseTo(-2 * ll + 2 * p, 8);
    expect(loaded.bic(rows)).toBeCloseTo(s.bic, 6);
    expect(() => loaded.bic([{ x: 1, z: 2 }])).toThrow(/z/);
  });

  it('a program model continues its own fit with warm: true, and refuses before a first fit', async () => {
    const rows = blobs(300, 4);
    const m = compile('model M(x, y) = mixture(k = 3) of Normal(full)').model('M');
    await expect(m.fit(rows, { warm: true })).rejects.toThrow(/fit it once/);
    const cold = await m.fit(rows, { method: 'em', tol: 1e-12, maxIter: 5000 });
    const warm = await m.fit(rows, { warm: true, tol: 1e-10 });
    expect(warm.iterations).toBeLessThanOrEqual(2);
    expect(warm.continued_from).toBe('model M');
    expect(Math.abs(warm.mean_log_likelihood - cold.mean_log_likelihood)).toBeLessThan(1e-9);
  });

  it('a refit names a column the rows lack', async () => {
    const m = compile('model M(x, y) = mixture(k = 2) of Normal').model('M');
    await m.fit(blobs(100, 1), { seed: 1 });
    const loaded = load(m.save());
    await expect(loaded.fit([{ x: 1 }, { x: 2 }])).rejects.toThrow(/'y'/);
  });
});

describe('warm start of the other families', () => {
  it('a circuit fitted by EM continues where it stopped', async () => {
    const rng = new Rng(7);
    const rows = Array.from({ length: 400 }, () => {
      const a = rng.uniform() < 0.5 ? 1 : 0;
      return { a: a === 1, b: rng.uniform() < (a ? 0.9 : 0.2), c: rng.uniform() < 0.3, d: rng.uniform() < (a ? 0.2 : 0.7) };
    });
    const p = compile('model C(a, b, c, d) = circuit { region random_tree(depth = 2, seed = 3) inputs Bernoulli sum(units = 2) }');
    const m = p.model('C');
    // Circuit EM creeps along a flat ridge here: converge to tol = 1e-8, continue with the same tol.
    const first = await m.fit(rows, { method: 'em', tol: 1e-8, maxIter: 20000 });
    expect(first.converged).toBe(true);
    const again = await load(m.save()).fit(rows, { tol: 1e-8 });
    expect(again.iterations).toBeLessThanOrEqual(2);
    expect(again.mean_log_likelihood).toBeGreaterThanOrEqual(first.mean_log_likelihood - 1e-12);
    expect(again.mean_log_likelihood - first.mean_log_likelihood).toBeLessThan(2e-8);
  });

  it('a GP continues from its hyperparameters (one L-BFGS restart)', async () => {
    const rng = new Rng(2);
    const rows = Array.from({ length: 30 }, (_, i) => {
      const x = i / 3;
      return { x, y: Math.sin(x) + 0.1 * rng.normal() };
    });
    const m = compile('model G = gp(x: real -> y: real) { kernel = 1 * rbf(ls = 1)\n noise = 0.1 in [1e-6, 1] }').model('G');
    const first = await m.fit(rows, { method: 'lbfgs', restarts: 2, seed: 1 });
    const loaded = load(m.save(), { from: 'g.json' });
    const again = await loaded.fit(rows);
    expect(again.continued_from).toBe('g.json');
    expect(again.gp!.log_marginal_likelihood).toBeGreaterThanOrEqual(first.gp!.log_marginal_likelihood - 1e-6);
    expect(again.iterations).toBeLessThan(first.iterations);
  });

  it('an integral circuit continues by Adam from its nets (trained at its training quadrature points)', async () => {
    const rng = new Rng(1);
    const rows = Array.from({ length: 400 }, () => ({ x: Math.tanh(2 * (2 * rng.uniform() - 1)) + 0.1 * rng.normal() }));
    const src = 'model W = integral z: real in [-1, 1] by gauss_legendre(points = 16, eval_points = 32) of Normal(mean = mlp(hidden = 8, layers = 1), sd = mlp(hidden = 4, layers = 1))';
    const m = compile(src).model('W');
    const first = await m.fit(rows, { method: 'adam', lr: 0.01, epochs: 15, batch: 100, seed: 1 });
    const again = await load(m.save()).fit(rows, { epochs: 5 });
    expect(again.method).toBe('adam');
    // Five more epochs from where the first fit stopped: better than it, not a fresh start.
    expect(again.mean_log_likelihood).toBeGreaterThan(first.mean_log_likelihood);
    const cold = await compile(src).model('W').fit(rows, { method: 'adam', lr: 0.01, epochs: 5, batch: 100, seed: 1 });
    expect(again.mean_log_likelihood).toBeGreaterThan(cold.mean_log_likelihood);
  });

  it('a squared circuit continues by Adam from its parameters', async () => {
    const rng = new Rng(3);
    const rows = Array.from({ length: 300 }, () => ({ x: rng.normal() * 1.5, y: rng.normal() * 1.5 }));
    const src = 'model S(x, y) = square(mixture(weights = [1.0, -0.4]) { Normal(diag, mean = [0, 0], sd = [1.7, 1.7]), Normal(diag, mean = [0, 0], sd = [1.0, 1.0]) })';
    const m = compile(src).model('S');
    const first = await m.fit(rows, { method: 'adam', lr: 0.02, epochs: 30, batch: 100, seed: 1 });
    const loaded = load(m.save());
    const before = meanOf(loaded.logProb(rows));
    expect(before).toBeCloseTo(first.mean_log_likelihood, 6);
    const again = await loaded.fit(rows, { epochs: 5 });
    expect(again.method).toBe('adam');
    // Started where the first fit ended: close to it after 5 more epochs, not back at the start.
    expect(Math.abs(again.mean_log_likelihood - first.mean_log_likelihood)).toBeLessThan(0.05);
  });
});
