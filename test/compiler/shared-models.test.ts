// A named model used more than once over the same variables is one node (the graph is a DAG):
// its parameters exist and count once, and EM fits them from the statistics of all its uses.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../stdlib/random.js';
import { modelState, runFits, writeCsv } from '../helpers/programs.js';
import { ask } from '../circuits/queries/ask.js';

const MODELS = `
model A(x) = Normal
model B(y) = Normal
model C(y) = Normal(mean = 5)
model M(x, y) = mixture { product { x: A, y: B }, product { x: A, y: C } }
`;

describe('shared sub-models', () => {
  it('A used by both components is one node; its parameters count once', () => {
    const s = modelState(MODELS.replace('model A(x) = Normal', 'model A(x) = Normal(mean = 0, sd = 1)').replace('model B(y) = Normal', 'model B(y) = Normal(mean = 0, sd = 1)').replace('Normal(mean = 5)', 'Normal(mean = 5, sd = 1)').replace('mixture {', 'mixture(weights = [0.5, 0.5]) {'), 'M');
    const overX = s.graph.nodes.filter((n) => n.kind === 'input' && n.scope.join() === '0');
    expect(overX).toHaveLength(1);
    const parents = s.graph.nodes.filter((n) => 'children' in n && (n.children as readonly string[]).includes(overX[0]!.id));
    expect(parents).toHaveLength(2);
    // A (mean, variance) + B (2) + C (2) + one free mixture weight; copies would make it 9.
    expect(s.freeParameterCount()).toBe(7);
  });

  it('EM sums the statistics of every use: A is the maximum-likelihood Normal of x', () => {
    const rng = new Rng(4);
    const rows = Array.from({ length: 400 }, () => [2 + 3 * rng.normal(), rng.uniform() < 0.3 ? rng.normal() : 5 + rng.normal()]);
    const s = runFits(`data d from "${writeCsv(['x', 'y'], rows)}" { x: real, y: real }\n${MODELS}\nfit M on d by em(max_iter = 50, tol = 0)`);
    const f = s.fitted.get('M')!;
    const a = f.state.graph.nodes.find((n) => n.kind === 'input' && n.scope.join() === '0')!;
    if (a.kind !== 'input') throw new Error(a.kind);
    // Under M, x is independent of y and distributed as A: every row's responsibilities for
    // the two uses of A sum to 1, so A's M-step sees each row once with weight 1.
    const xs = rows.map((r) => r[0]!);
    const mean = xs.reduce((p, q) => p + q, 0) / xs.length;
    const variance = xs.reduce((p, q) => p + (q - mean) ** 2, 0) / xs.length;
    const mu = f.state.values.get(a.params['mean']!)![0]!;
    const cov = f.state.values.get(a.params['cov']!)![0]!; // Normal(full) over one variable
    expect(mu).toBeCloseTo(mean, 9);
    expect(Math.abs(cov - variance)).toBeLessThan(1e-5); // reg_covar = 1e-6 is added
    expect(f.summary.parameters).toBe(7);
    // Queries go through the shared node from both components.
    const m = ask(f.state, 'mean(x)');
    if (m.kind !== 'mean') throw new Error(m.kind);
    expect(m.summary[0]!.mean).toBeCloseTo(mu, 9);
    const sm = ask(f.state, 'sample(4000, seed = 2)');
    if (sm.kind !== 'sample') throw new Error(sm.kind);
    const sx = sm.rows.map((r) => r[0] as number);
    expect(Math.abs(sx.reduce((p, q) => p + q, 0) / sx.length - mu)).toBeLessThan(5 * Math.sqrt(cov / sx.length));
    expect(ask(f.state, 'mode()').kind).toBe('mode');
  });

  it('Adam fits a shared model too, its parameters counted once', () => {
    const rng = new Rng(5);
    const rows = Array.from({ length: 200 }, () => [1 + rng.normal(), rng.uniform() < 0.5 ? rng.normal() : 5 + rng.normal()]);
    const s = runFits(`data d from "${writeCsv(['x', 'y'], rows)}" { x: real, y: real }\n${MODELS}\nfit M on d by adam(lr = 0.05, epochs = 60, batch = 50)`);
    const f = s.fitted.get('M')!;
    expect(Number.isFinite(f.summary.mean_log_likelihood)).toBe(true);
    expect(f.summary.parameters).toBe(7);
  });

  it('the same model over other variables is a copy with its own parameters', () => {
    const s = modelState('model N = Normal(mean = 0, sd = 1)\nmodel P(x, y) = product { x: N, y: N }', 'P');
    expect(s.graph.nodes.filter((n) => n.kind === 'input')).toHaveLength(2);
    expect(s.freeParameterCount()).toBe(4);
  });
});
