// GPs with non-Gaussian likelihoods through the language and the embedding API: fit by L-BFGS
// on the Laplace approximation, queries (class probabilities, counts, quantiles), save/load,
// and clear refusals of bad labels and items that belong to the gaussian likelihood.
import { describe, expect, it } from 'vitest';
import { compile, load } from '../../api/index.js';
import { lcg } from './helpers.js';

const r = lcg(21);
const sig = (z: number): number => 1 / (1 + Math.exp(-z));
const labelled = Array.from({ length: 60 }, (_, i) => {
  const x = -3 + (6 * i) / 59;
  return { x, y: r() < sig(3 * Math.sin(1.5 * x)) ? 1 : 0 };
});

describe('a bernoulli GP through the API', () => {
  it('fits, predicts probabilities, answers queries and round-trips', async () => {
    const m = compile('model C = gp(x -> y) { kernel = 1 * rbf(ls = 1); likelihood = bernoulli(link = logit) }').model('C');
    const s = await m.fit(labelled, { method: 'lbfgs', restarts: 2, seed: 1 });
    expect(s.gp!.notes.join(' ')).toMatch(/Laplace approximation/);
    const p = m.predict([{ x: Math.PI / 3 }, { x: -Math.PI / 3 }]);
    // sin(1.5 x) = +1 and -1: the classes are clear there.
    expect(p[0]![0]!.extra!.p!).toBeGreaterThan(0.7);
    expect(p[1]![0]!.extra!.p!).toBeLessThan(0.3);
    const a = m.query('predict(x = [1.0472, -1.0472])');
    if (a.kind !== 'predict') throw new Error(a.kind);
    expect(a.rows[0]!.y!.p).toBeCloseTo(p[0]![0]!.extra!.p!, 3);
    // logp(y = 1 | x) is the log class probability; p(y | x)'s mean is the probability too.
    const lp = m.query('logp(y = 1 | x = 1.0472)');
    if (lp.kind !== 'density') throw new Error(lp.kind);
    expect(Math.exp(lp.logValue)).toBeCloseTo(a.rows[0]!.y!.p!, 10);
    const mean = m.query('mean(y | x = 1.0472)');
    if (mean.kind !== 'mean') throw new Error(mean.kind);
    expect(mean.summary[0]!.mean).toBeCloseTo(a.rows[0]!.y!.p!, 10);
    // scikit-learn's approximation differs from the quadrature by little.
    const approx = m.query('predict(x = 1.0472, approx = "probit")');
    if (approx.kind !== 'predict') throw new Error(approx.kind);
    expect(Math.abs(approx.rows[0]!.y!.p! - a.rows[0]!.y!.p!)).toBeLessThan(0.02);
    expect(() => m.query('logp(y = 2 | x = 1)')).toThrow(/a bernoulli label is 0 or 1/);
    const saved = JSON.parse(m.save()) as { ir: { nodes: { likelihood: { name: string; link: string } }[]; params: Record<string, { value: number[] }> } };
    const broken = structuredClone(saved);
    broken.ir.nodes[0]!.likelihood.link = 'cloglog';
    expect(() => load(JSON.stringify(broken))).toThrow(/ir\.nodes\[0\]\.likelihood\.link.*'logit' or 'probit'/);
    const badLabel = structuredClone(saved);
    badLabel.ir.params['n0.train_y']!.value[3] = 7;
    expect(() => load(JSON.stringify(badLabel))).toThrow(/n0\.train_y'\]\.value\[3\].*a bernoulli label is 0 or 1/);
    const again = load(m.save());
    expect(again.predict([{ x: 1 }])[0]![0]!.extra!.p).toBeCloseTo(m.predict([{ x: 1 }])[0]![0]!.extra!.p!, 12);
  });

  it('refuses a label other than 0 and 1, naming the row and column', async () => {
    const m = compile('model C = gp(x -> y) { likelihood = bernoulli }').model('C');
    await expect(m.fit([{ x: 0, y: 1 }, { x: 1, y: 0.5 }], { method: 'lbfgs' })).rejects.toThrow(/row 2, column 'y': a bernoulli label is 0 or 1/);
  });

  it('says what belongs to the gaussian likelihood, and what a likelihood takes (lowered at fit, on the data)', async () => {
    const refuses = async (items: string, message: RegExp): Promise<void> => {
      await expect(compile(`model C = gp(x -> y) { ${items} }`).model('C').fit(labelled.slice(0, 5), { method: 'lbfgs' })).rejects.toThrow(message);
    };
    await refuses('likelihood = bernoulli; noise = 0.1', /'noise' belongs to the gaussian likelihood/);
    await refuses('likelihood = bernouli', /unknown likelihood 'bernouli'/);
    await refuses('likelihood = bernoulli(link = log)', /bernoulli's link is logit or probit/);
    await refuses('likelihood = poisson(scale = 2)', /poisson has no argument 'scale'/);
    await refuses('likelihood = student_t(df = 4 in [1, 9])', /df is an option/);
  });
});

describe('counts and robust regression recover a known latent function', () => {
  it('poisson: the latent log rate and the predicted counts', async () => {
    const rng = lcg(4);
    const truth = (x: number): number => 1 + Math.sin(x);
    const poisson = (mu: number): number => {
      let k = 0;
      let p = Math.exp(-mu);
      let s = p;
      const u = rng();
      while (u > s) {
        k++;
        p *= mu / k;
        s += p;
      }
      return k;
    };
    const rows = Array.from({ length: 120 }, (_, i) => {
      const x = (8 * i) / 119;
      return { x, y: poisson(Math.exp(truth(x))) };
    });
    const m = compile('model P = gp(x -> y) { kernel = 1 * rbf(ls = 1); mean = constant; likelihood = poisson }').model('P');
    await m.fit(rows, { method: 'lbfgs', restarts: 1, seed: 0 });
    const xs = [0.5, 1.5, 3, 4.5, 6, 7.5];
    const p = m.predict(xs.map((x) => ({ x })));
    xs.forEach((x, i) => {
      const q = p[i]![0]!;
      expect(Math.abs(q.mean - truth(x))).toBeLessThan(0.35);
      expect(Math.abs(q.extra!.y_mean! - Math.exp(truth(x)) )).toBeLessThan(0.4 * Math.exp(truth(x)));
      expect(q.extra!.y_lower95!).toBeLessThanOrEqual(q.extra!.y_median!);
      expect(q.extra!.y_median!).toBeLessThanOrEqual(q.extra!.y_upper95!);
    });
  });

  it('student_t: outliers do not pull the fit, as they pull a gaussian GP', async () => {
    const rng = lcg(9);
    const truth = (x: number): number => Math.sin(x);
    const rows = Array.from({ length: 80 }, (_, i) => {
      const x = (6 * i) / 79;
      return { x, y: truth(x) + 0.1 * (rng() - 0.5) + (i % 10 === 5 ? 5 : 0) };
    });
    const t = compile('model T = gp(x -> y) { kernel = 1 * rbf(ls = 1); likelihood = student_t(df = 3) }').model('T');
    const s = await t.fit(rows, { method: 'lbfgs', seed: 0 });
    const g = compile('model G = gp(x -> y) { kernel = 1 * rbf(ls = 1) }').model('G');
    await g.fit(rows, { method: 'lbfgs', seed: 0 });
    const xs = Array.from({ length: 25 }, (_, i) => 0.1 + (5.8 * i) / 24);
    const err = (m: typeof t): number => Math.max(...m.predict(xs.map((x) => ({ x }))).map((p, i) => Math.abs(p[0]!.mean - truth(xs[i]!))));
    expect(err(t)).toBeLessThan(0.1);
    expect(err(g)).toBeGreaterThan(2 * err(t));
    expect(s.gp!.hyperparameters['lik_scale']![0]).toBeLessThan(0.2);
  });
});
