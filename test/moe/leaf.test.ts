// Leaf experts (any univariate stdlib leaf, each parameter constant or link^-1(w . [x, 1])):
// one Gamma expert is the Gamma GLM with a log link fitted by statsmodels (scripts/
// make-moe-gamma-glm.py) to 1e-6; leaf(Poisson, rate = log) is the Poisson expert; EM never
// lowers its objective (fast-check over leaves); two Gamma regimes are recovered; queries use the
// leaf's own density; bad leaves and parameters are refused by name.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../../api/index.js';
import { familyOf } from '../../families/index.js';
import { emLearner, gather, specOf } from '../../families/moe/index.js';
import { ModelState } from '../../runtime/state.js';
import { loadState } from '../../session/load-artifact.js';
import { Session } from '../../session/session.js';
import { Rng } from '../../stdlib/random.js';
import { lgamma } from '../../stdlib/special.js';
import { compileOk, runFits, writeCsv } from '../helpers/programs.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/moe/gamma-glm.json', import.meta.url), 'utf8')) as { x: number[]; z: number[]; y: number[]; beta: number[]; shape: number; loglik: number };

const gammaLogPdf = (y: number, shape: number, rate: number): number => shape * Math.log(rate) - lgamma(shape) + (shape - 1) * Math.log(y) - rate * y;

const diag = (text: string): string[] => {
  const s = new Session(compileOk(`data d from "${writeCsv(['x', 'y', 'c'], [[1, 2, 0]])}" { x: real, y: real, c: categorical }\n${text}\nfit M on d\n`));
  return s.check().map((d) => `${d.span?.startLine}:${d.span?.startColumn} ${d.message}${d.hint ? ` | ${d.hint}` : ''}`);
};

describe('one leaf expert = the GLM', () => {
  it('Gamma with a log link: statsmodels\' coefficients and the shape\'s MLE to 1e-6', () => {
    const csv = writeCsv(['x', 'z', 'y'], fixture.y.map((y, i) => [fixture.x[i]!, fixture.z[i]!, y]));
    const s = runFits(`data d from "${csv}" { x: real, z: real, y: real }
model M = experts(x, z -> y) { k = 1; expert = leaf(Gamma, shape = const, rate = log) }
fit M on d by em(max_iter = 50, tol = 1e-12)`);
    const c = s.stateOf('M').values.get('expert.coef')!;
    // [1, 2 parameters (shape, rate), 3]: shape's slopes stay 0; log rate = log shape - log mu
    const [bx, bz, b0] = fixture.beta as [number, number, number];
    const a = fixture.shape;
    const want = [0, 0, Math.log(a), -bx, -bz, Math.log(a) - b0];
    want.forEach((v, j) => expect(Math.abs(c[j]! - v)).toBeLessThan(1e-6 * Math.max(1, Math.abs(v))));
    // the log-likelihood the fixture gives, from the fitted parameters and a Gamma density written here
    let ll = 0;
    fixture.y.forEach((y, i) => (ll += gammaLogPdf(y, Math.exp(c[2]!), Math.exp(c[3]! * fixture.x[i]! + c[4]! * fixture.z[i]! + c[5]!))));
    expect(Math.abs(ll - fixture.loglik)).toBeLessThan(1e-6);
    // the shorthand is the same model
    const s2 = runFits(`data d from "${csv}" { x: real, z: real, y: real }
model M = experts(x, z -> y) { k = 1; expert = gamma }
fit M on d by em(max_iter = 50, tol = 1e-12)`);
    expect(Array.from(s2.stateOf('M').values.get('expert.coef')!).map((v) => v.toFixed(8))).toEqual(Array.from(c).map((v) => v.toFixed(8)));
  });

  it('leaf(Poisson, rate = log) equals the poisson expert (IRLS) to 1e-8', () => {
    const r = new Rng(4);
    const rows = Array.from({ length: 150 }, () => {
      const x = r.normal();
      return [x, r.poisson(Math.exp(0.7 + 0.4 * x))];
    });
    const csv = writeCsv(['x', 'y'], rows);
    const coef = (expert: string): Float64Array => runFits(`data d from "${csv}" { x: real, y: int }\nmodel M = experts(x -> y) { k = 1; expert = ${expert} }\nfit M on d by em(max_iter = 20, tol = 1e-12)`).stateOf('M').values.get('expert.coef')!;
    const a = coef('leaf(Poisson, rate = log)');
    const b = coef('poisson');
    a.forEach((v, j) => expect(Math.abs(v - b[j]!)).toBeLessThan(1e-8));
  });
});

describe('mixtures of leaf experts', () => {
  it('EM never lowers the objective (Gamma, LogNormal, StudentT, Beta, Exponential; softmax and Gaussian gates)', () => {
    fc.assert(
      fc.property(fc.constantFrom('gamma', 'lognormal', 'student_t', 'beta', 'exponential', 'leaf(Gamma, shape = log, rate = log)'), fc.integer({ min: 1, max: 3 }), fc.constantFrom('softmax', 'gaussian'), fc.integer({ min: 0, max: 1e6 }), (expert, k, gate, seed) => {
        const s = new Session(compileOk(`model M = experts(x -> y) { k = ${k}; gate = ${gate}; expert = ${expert} }`));
        s.lower('M', s.variables('M'));
        const state = new ModelState(s.lowered.get('M')!);
        const r = new Rng(seed);
        const n = 60;
        const rows = new Float64Array(n * 2);
        for (let i = 0; i < n; i++) {
          const x = 2 * r.normal();
          rows[i * 2] = x;
          const mu = x > 0 ? Math.exp(0.3 + 0.5 * x) : Math.exp(-x / 2);
          const g = r.gamma(2) * mu / 2;
          rows[i * 2 + 1] = expert === 'beta' ? g / (1 + g) : g;
        }
        const { data } = gather(specOf(state.graph), rows, n, 2);
        const run = emLearner(state, data, { restarts: 1, maxIter: 15, seed, outputFloor: new Float64Array(1), inputFloor: new Float64Array(1).fill(1e-6) }, 'M').start(0);
        let prev = -Infinity;
        for (let it = 1; it <= 15; it++) {
          const g = run.iterate(it);
          let v = g.next();
          while (!v.done) v = g.next();
          const obj = v.value as number;
          expect(obj).toBeGreaterThanOrEqual(prev - 1e-9 * Math.max(1, Math.abs(prev)));
          prev = obj;
        }
      }),
      { numRuns: 25, seed: 11 },
    );
  });

  it('two Gamma regimes: parameters recovered, held-out log-likelihood within 0.02 nats of the true model', async () => {
    // regime 1 (x > 0 mostly): shape 4, mean exp(0.5 + 0.6 x); regime 2: shape 1.5, mean exp(1 - 0.5 x)
    const truth = (x: number, y: number): number => {
      const g = 1 / (1 + Math.exp(-3 * x));
      const a = Math.log(g) + gammaLogPdf(y, 4, 4 / Math.exp(0.5 + 0.6 * x));
      const b = Math.log(1 - g) + gammaLogPdf(y, 1.5, 1.5 / Math.exp(1 - 0.5 * x));
      const m = Math.max(a, b);
      return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
    };
    const draw = (n: number, seed: number): { x: number; y: number }[] => {
      const r = new Rng(seed);
      return Array.from({ length: n }, () => {
        const x = -3 + 6 * r.uniform();
        const one = r.uniform() < 1 / (1 + Math.exp(-3 * x));
        return { x, y: one ? (r.gamma(4) * Math.exp(0.5 + 0.6 * x)) / 4 : (r.gamma(1.5) * Math.exp(1 - 0.5 * x)) / 1.5 };
      });
    };
    const m = compile('model M = experts(x -> y) { k = 2; gate = softmax(ridge = 0); expert = gamma }').model('M');
    await m.fit(draw(2000, 1), { method: 'em', restarts: 2, maxIter: 200, tol: 1e-7, seed: 1 });
    const test = draw(3000, 2);
    const fitted = m.logProb(test).reduce((a, b) => a + b, 0) / test.length;
    const want = test.reduce((s, r) => s + truth(r.x, r.y), 0) / test.length;
    expect(Math.abs(fitted - want)).toBeLessThan(0.02);
    // the shapes, in either order
    // coef [2 experts, 2 parameters (shape, rate), slope and intercept]: the shapes are constants
    const c = stateOf(m).values.get('expert.coef')!;
    expect([c[0], c[4]]).toEqual([0, 0]);
    const shapes = [Math.exp(c[1]!), Math.exp(c[5]!)].sort((a, b) => a - b);
    expect(Math.abs(shapes[0]! - 1.5)).toBeLessThan(0.3);
    expect(Math.abs(shapes[1]! - 4)).toBeLessThan(0.8);
  });

  it('queries use the leaf: logp is the mixture of Gamma densities, upper95 its 97.5% quantile, draws positive', async () => {
    const m = compile('model M = experts(x -> y) { k = 2; expert = gamma }').model('M');
    const r = new Rng(2);
    await m.fit(Array.from({ length: 300 }, () => {
      const x = r.normal();
      return { x, y: (r.gamma(3) * Math.exp(x > 0 ? 1 : -0.5)) / 3 };
    }), { method: 'em', maxIter: 50 });
    const st = stateOf(m);
    const c = st.values.get('expert.coef')!;
    const w = st.values.get('gate.w')!;
    const x = 0.4;
    const g0 = 1 / (1 + Math.exp(-(w[0]! * x + w[1]!)));
    const dens = (y: number): number => g0 * Math.exp(gammaLogPdf(y, Math.exp(c[1]!), Math.exp(c[2]! * x + c[3]!))) + (1 - g0) * Math.exp(gammaLogPdf(y, Math.exp(c[5]!), Math.exp(c[6]! * x + c[7]!)));
    const lp = m.query('logp(y = 1.7 | x = 0.4)');
    if (lp.kind !== 'density') throw new Error('expected a density');
    expect(Math.abs(lp.value - Math.log(dens(1.7)))).toBeLessThan(1e-10);
    const pr = m.query('predict(x = 0.4)');
    if (pr.kind !== 'predict') throw new Error('expected predictions');
    const row = pr.rows[0] as unknown as { mean: number; upper95: number; lower95: number };
    // the CDF at upper95 and lower95 by the midpoint rule on the density written here
    for (const [end, q] of [[row.upper95, 0.975], [row.lower95, 0.025]] as const) {
      let s = 0;
      const N = 20000;
      for (let i = 1; i <= N; i++) s += (dens((end * (i - 0.5)) / N) * end) / N;
      expect(Math.abs(s - q)).toBeLessThan(1e-4);
    }
    const smp = m.query('sample(50 | x = 0.4)');
    if (smp.kind !== 'sample') throw new Error('expected samples');
    expect(smp.rows.every((row) => (row[1] as number) > 0)).toBe(true);
  });
});

describe('artifacts and pmix check', () => {
  it('leaf experts and 3-level trees round-trip; a bad leaf or link in an artifact is refused naming the field', async () => {
    const r = new Rng(5);
    const rows = Array.from({ length: 200 }, () => {
      const x = -2 + 4 * r.uniform();
      return { x, y: (r.gamma(2) * Math.exp(x > 0 ? 0.5 * x : -x)) / 2 };
    });
    for (const body of ['k = 2; expert = leaf(Gamma, shape = log, rate = log)', 'k = 8; gate = tree(branches = 2, depth = 3); expert = lognormal']) {
      const m = compile(`model M = experts(x -> y) { ${body} }`).model('M');
      await m.fit(rows, { method: 'em', maxIter: 10 });
      const again = loadState(m.save()).state;
      expect(Array.from(again.values.get('expert.coef')!)).toEqual(Array.from(stateOf(m).values.get('expert.coef')!));
      const { load } = await import('../../api/index.js');
      expect(load(m.save()).predict([{ x: 0.3 }])).toEqual(m.predict([{ x: 0.3 }]));
    }
    const m = compile('model M = experts(x -> y) { k = 2; expert = gamma }').model('M');
    await m.fit(rows, { method: 'em', maxIter: 5 });
    const art = JSON.parse(m.save());
    const mutate = (f: (a: typeof art) => void): string => {
      const a = JSON.parse(JSON.stringify(art));
      f(a);
      return JSON.stringify(a);
    };
    expect(() => loadState(mutate((a) => (a.ir.nodes[0].options.leaf = 'Categorical')))).toThrow(/ir\.nodes\[0\]\.options\.leaf: expected one of .*Gamma/);
    expect(() => loadState(mutate((a) => (a.ir.nodes[0].options.links = 'const,logit')))).toThrow(/ir\.nodes\[0\]\.options\.links\[1\]: expected const or log for Gamma's rate/);
    expect(() => loadState(mutate((a) => (a.ir.nodes[0].options.links = 'const')))).toThrow(/options\.links: expected 2 words joined by commas/);
  });

  it('pmix check describes leaf experts and deep trees', () => {
    const s = new Session(compileOk('model M = experts(x -> y) { k = 8; gate = tree(branches = 2, depth = 3); expert = leaf(Gamma, shape = const, rate = log) }'));
    s.lower('M', s.variables('M'));
    const g = s.lowered.get('M')!;
    const rep = familyOf(g).describe!(g, 'M', 'm.pmix', ['em'])!;
    expect(rep.lines[1]).toMatch(/3-level tree gate \(hierarchical mixture of experts: softmaxes over 2 x 2 x 2 children per level/);
    expect(rep.lines[1]).toMatch(/Gamma experts \(shape constant, log\(rate\) linear in the inputs\); fitted by EM \(experts by weighted Newton steps on their log densities, the gate by Newton steps\)/);
    expect(rep.json).toMatchObject({ leaf: 'Gamma', links: 'const,log', depth: 3, branches: 2 });
  });
});

describe('refusals name the leaf or the parameter', () => {
  it('in the model text', () => {
    expect(diag('model M = experts(x -> y) { expert = leaf(Categorical) }')[0]).toMatch(/Categorical cannot be an expert: its parameter 'probs' has no link/);
    expect(diag('model M = experts(x -> y) { expert = leaf(Binomial) }')[0]).toMatch(/Binomial cannot be an expert: its parameter 'n' has no link \(a structural constant\)/);
    expect(diag('model M = experts(x -> y) { expert = leaf(Gama) }')[0]).toMatch(/'Gama' is not a univariate leaf.*\| did you mean 'Gamma'\?/);
    expect(diag('model M = experts(x -> y) { expert = leaf(Gamma, shap = const) }')[0]).toMatch(/^2:50 Gamma has no parameter 'shap' \(its parameters: shape, rate\) \| did you mean 'shape'\?/);
    expect(diag('model M = experts(x -> y) { expert = gamma(rate = logit) }')[0]).toMatch(/rate = logit: expected const or log \(Gamma's rate is positive: log link\)/);
    expect(diag('model M = experts(x -> y) { expert = leaf(Gamma, shape = const, rate = const) }')[0]).toMatch(/every parameter of this Gamma expert is const: give at least one its link/);
    expect(diag('model M = experts(x -> y) { expert = leaf(shape = const) }')[0]).toMatch(/leaf\(\.\.\.\) names its distribution first/);
    expect(diag('model M = experts(x -> c) { expert = gamma }')[0]).toMatch(/'c' is categorical/);
  });

  it('data off the leaf\'s support stops the fit naming the row and column', () => {
    const csv = writeCsv(['x', 'y'], [[1, 2], [2, -0.5], [3, 1], [0, 2]]);
    const s = new Session(compileOk(`data d from "${csv}" { x: real, y: real }\nmodel M = experts(x -> y) { k = 1; expert = gamma }\nfit M on d`));
    expect(() => s.fit(s.program.steps[0] as never)).toThrow(/row 2, column 'y': -0\.5 is outside the support of Gamma experts \(values >= 0\)/);
  });
});

function stateOf(m: { save(): string }): ModelState {
  return loadState(m.save()).state;
}
