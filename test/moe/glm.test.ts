// GLM experts: with one expert the fit is the GLM fitted by IRLS (Newton-Raphson on the
// log-likelihood, written here) to 1e-8, for Poisson (log link) and Bernoulli (logit link);
// EM with GLM experts never lowers its objective; a two-expert Poisson mixture is recovered.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../../api/index.js';
import { emLearner, gather, specOf } from '../../families/moe/index.js';
import { Rng } from '../../stdlib/random.js';
import { ModelState } from '../../runtime/state.js';
import { Session } from '../../session/session.js';
import { compileOk, runFits, writeCsv } from '../helpers/programs.js';
import { solve } from './helpers.js';

/** IRLS for a GLM with canonical link: beta <- beta + (X' W X)^-1 X' (y - mu). */
function irls(X: number[][], y: number[], kind: 'poisson' | 'bernoulli'): number[] {
  const Z = X.map((x) => [...x, 1]);
  const m = Z[0]!.length;
  let b = new Array<number>(m).fill(0);
  for (let it = 0; it < 100; it++) {
    const mu = Z.map((z) => {
      const t = z.reduce((s, v, j) => s + v * b[j]!, 0);
      return kind === 'poisson' ? Math.exp(t) : 1 / (1 + Math.exp(-t));
    });
    const w = mu.map((u) => (kind === 'poisson' ? u : u * (1 - u)));
    const H = Array.from({ length: m }, (_, a) => Array.from({ length: m }, (_, c) => Z.reduce((s, z, i) => s + w[i]! * z[a]! * z[c]!, 0)));
    const g = Array.from({ length: m }, (_, a) => Z.reduce((s, z, i) => s + (y[i]! - mu[i]!) * z[a]!, 0));
    const step = solve(H, g);
    b = b.map((v, j) => v + step[j]!);
    if (Math.max(...step.map(Math.abs)) < 1e-14) break;
  }
  return b;
}

const rng = new Rng(3);
const X = Array.from({ length: 150 }, () => [rng.normal(), rng.uniform() * 2]);

describe('one GLM expert = the GLM by IRLS', () => {
  for (const kind of ['poisson', 'bernoulli'] as const) {
    it(`${kind}: coefficients to 1e-8`, () => {
      const y = X.map(([a, b]) => {
        const t = 0.5 * a! - 0.3 * b! + (kind === 'poisson' ? 1 : 0.2);
        return kind === 'poisson' ? rng.poisson(Math.exp(t)) : rng.uniform() < 1 / (1 + Math.exp(-t)) ? 1 : 0;
      });
      const csv = writeCsv(['a', 'b', 'y'], X.map((x, i) => [x[0]!, x[1]!, y[i]!]));
      const s = runFits(`data d from "${csv}" { a: real, b: real, y: ${kind === 'poisson' ? 'int' : 'bool'} }
model M = experts(a, b -> y) { k = 1; expert = ${kind} }
fit M on d by em(max_iter = 5)`);
      const got = s.stateOf('M').values.get('expert.coef')!;
      const want = irls(X, y, kind);
      want.forEach((v, j) => expect(Math.abs(got[j]! - v)).toBeLessThan(1e-8 * Math.max(1, Math.abs(v))));
    });
  }

  it('a value off the support is refused naming the row and column', () => {
    const csv = writeCsv(['a', 'y'], [[1, 2], [2, 0.5]]);
    const s = new Session(compileOk(`data d from "${csv}" { a: real, y: real }\nmodel M = experts(a -> y) { k = 1; expert = poisson }\nfit M on d`));
    expect(() => s.fit(s.program.steps[0] as never)).toThrow(/row 2, column 'y': 0\.5 is not a count \(a whole number >= 0\), as poisson experts need/);
  });
});

describe('mixtures of GLM experts', () => {
  it('EM never lowers the objective', () => {
    fc.assert(
      fc.property(fc.constantFrom('poisson', 'bernoulli'), fc.integer({ min: 1, max: 3 }), fc.constantFrom('softmax', 'gaussian'), fc.integer({ min: 0, max: 1e6 }), (kind, k, gate, seed) => {
        const s = new Session(compileOk(`model M = experts(x -> y) { k = ${k}; gate = ${gate}; expert = ${kind} }`));
        s.lower('M', s.variables('M'));
        const state = new ModelState(s.lowered.get('M')!);
        const r = new Rng(seed);
        const n = 60;
        const rows = new Float64Array(n * 2);
        for (let i = 0; i < n; i++) {
          const x = 2 * r.normal();
          rows[i * 2] = x;
          const mu = x > 0 ? Math.exp(0.5 + x) : Math.exp(-x / 2);
          rows[i * 2 + 1] = kind === 'poisson' ? r.poisson(mu) : r.uniform() < mu / (1 + mu) ? 1 : 0;
        }
        const { data } = gather(specOf(state.graph), rows, n, 2);
        const run = emLearner(state, data, { restarts: 1, maxIter: 20, seed, outputFloor: new Float64Array(1), inputFloor: new Float64Array(1).fill(1e-6) }, 'M').start(0);
        let prev = -Infinity;
        for (let it = 1; it <= 20; it++) {
          const g = run.iterate(it);
          let v = g.next();
          while (!v.done) v = g.next();
          const obj = v.value as number;
          expect(obj).toBeGreaterThanOrEqual(prev - 1e-9 * Math.max(1, Math.abs(prev)));
          prev = obj;
        }
      }),
      { numRuns: 30, seed: 9 },
    );
  });

  it('two Poisson regimes: held-out log-likelihood within 0.02 nats of the true model', async () => {
    const draw = (n: number, seed: number): { x: number; y: number }[] => {
      const r = new Rng(seed);
      return Array.from({ length: n }, () => {
        const x = -3 + 6 * r.uniform();
        const g = 1 / (1 + Math.exp(-3 * x));
        const rate = r.uniform() < g ? Math.exp(1 + 0.5 * x) : Math.exp(0.2 - 0.4 * x);
        return { x, y: r.poisson(rate) };
      });
    };
    const truth = (x: number, y: number): number => {
      const g = 1 / (1 + Math.exp(-3 * x));
      const pmf = (mu: number): number => Math.exp(y * Math.log(mu) - mu - lgammaInt(y));
      return Math.log(g * pmf(Math.exp(1 + 0.5 * x)) + (1 - g) * pmf(Math.exp(0.2 - 0.4 * x)));
    };
    const m = compile('model M = experts(x -> y) { k = 2; gate = softmax(ridge = 0); expert = poisson }').model('M');
    await m.fit(draw(4000, 1), { method: 'em', restarts: 3, maxIter: 300, tol: 1e-9, seed: 1 });
    const test = draw(4000, 2);
    const fitted = m.logProb(test).reduce((a, b) => a + b, 0) / test.length;
    const want = test.reduce((s, r) => s + truth(r.x, r.y), 0) / test.length;
    expect(Math.abs(fitted - want)).toBeLessThan(0.02);
  });
});

/** log(y!) by a sum (y a small whole number). */
function lgammaInt(y: number): number {
  let s = 0;
  for (let i = 2; i <= y; i++) s += Math.log(i);
  return s;
}
