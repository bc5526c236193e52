// model.update(rows): one step of online (stepwise) EM per call (issue 16). One step is checked
// against an independent computation (1-D, two Normals): statistics of the current parameters
// with the batch's masses, blended with eta_t = (t + 2)^-alpha, then the M-step. Repeated
// updates follow a drifting distribution; models that cannot take a step say why.
import { describe, expect, it } from 'vitest';
import { compile, load } from '../../api/index.js';
import { Rng } from '../../stdlib/random.js';

const normalPdf = (x: number, m: number, v: number): number => Math.exp(-0.5 * ((x - m) ** 2) / v) / Math.sqrt(2 * Math.PI * v);

function componentsOf(m: ReturnType<typeof load>): { w: number; mean: number; variance: number }[] {
  const a = m.query('p(x)');
  if (a.kind !== 'distribution' || !a.components) throw new Error('expected a mixture distribution');
  return a.components.map((c) => ({ w: c.weight, mean: c.mean[0]!, variance: c.sd[0]! ** 2 }));
}

describe('model.update(rows)', () => {
  it('one step equals stepwise EM computed by hand (1-D, k = 2)', async () => {
    const rng = new Rng(1);
    const train = Array.from({ length: 400 }, (_, i) => ({ x: i % 2 ? rng.normal() * 0.7 : 5 + rng.normal() }));
    const p = compile('model M(x) = mixture(k = 2) of Normal');
    await p.model('M').fit(train, { method: 'em', tol: 1e-8, seed: 1 });
    const m = load(p.model('M').save());
    const before = componentsOf(m);
    const batch = Array.from({ length: 100 }, (_, i) => ({ x: i % 3 ? 1 + rng.normal() : 6 + rng.normal() * 1.5 }));
    const r = m.update(batch, { alpha: 0.7 });
    // The statistics are as old as the 400 fitted rows, in steps of 100 rows: t0 = 4.
    expect(r.step).toBe(5);
    const eta = Math.pow(4 + 2, -0.7);
    expect(r.step_size).toBeCloseTo(eta, 14);
    // By hand: responsibilities at the current parameters, the batch masses N_k, the blend, the M-step.
    const xs = batch.map((b) => b.x);
    const resp = xs.map((x) => {
      const d = before.map((c) => c.w * normalPdf(x, c.mean, c.variance));
      const s = d[0]! + d[1]!;
      return d.map((v) => v / s);
    });
    const n = xs.length;
    const expected = before.map((c, k) => {
      const Nk = resp.reduce((s, r) => s + r[k]!, 0);
      const Sx = resp.reduce((s, r, i) => s + r[k]! * xs[i]!, 0);
      const count = (1 - eta) * n * c.w + eta * Nk;
      const mass = (1 - eta) * Nk + eta * Nk;
      const mean = ((1 - eta) * Nk * c.mean + eta * Sx) / mass;
      const second = ((1 - eta) * Nk * (c.variance + (c.mean - mean) ** 2) + eta * resp.reduce((s, r, i) => s + r[k]! * (xs[i]! - mean) ** 2, 0)) / mass;
      return { count, mean, variance: second };
    });
    const total = expected[0]!.count + expected[1]!.count;
    const after = componentsOf(m);
    after.forEach((c, k) => {
      expect(c.w).toBeCloseTo(expected[k]!.count / total, 9);
      expect(c.mean).toBeCloseTo(expected[k]!.mean, 9);
      // reg_covar (1e-6 of the data's variance) is added to the variance.
      expect(Math.abs(c.variance - expected[k]!.variance)).toBeLessThan(1e-4);
    });
    // The mean log-likelihood reported is that of the batch under the parameters before the step.
    const ll = xs.reduce((s, x) => s + Math.log(before.reduce((a, c) => a + c.w * normalPdf(x, c.mean, c.variance), 0)), 0) / n;
    expect(r.mean_log_likelihood).toBeCloseTo(ll, 9);
  });

  it('repeated updates follow data that drifts away from the fit', async () => {
    const rng = new Rng(2);
    const rowsAt = (shift: number, n: number) => Array.from({ length: n }, (_, i) => ({ x: (i % 2 ? 0 : 4) + shift + 0.5 * rng.normal(), y: (i % 2 ? 0 : -3) + 0.5 * rng.normal() }));
    const p = compile('model M(x, y) = mixture(k = 2) of Normal(full)');
    const m = p.model('M');
    await m.fit(rowsAt(0, 1000), { seed: 1 });
    const target = rowsAt(3, 500);
    const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
    const start = mean(m.logProb(target));
    let last = { step: 0 };
    for (let b = 0; b < 60; b++) last = m.update(rowsAt(3, 100));
    expect(last.step).toBe(10 + 60);
    expect(mean(m.logProb(target))).toBeGreaterThan(start + 2);
    // The program's queries and artifacts see the updated parameters.
    const again = load(m.save());
    expect(Array.from(again.logProb(target.slice(0, 3)))).toEqual(Array.from(m.logProb(target.slice(0, 3))));
  });

  it('refuses models that cannot take a step, naming why', async () => {
    const p = compile('model M(x) = mixture(k = 2) of Normal\nmodel G = gp(x: real -> y: real) { kernel = rbf(ls = 1)\n noise = 0.1 }');
    expect(() => p.model('M').update([{ x: 1 }])).toThrow(/has not been fitted yet/);
    const g = p.model('G');
    await g.fit(Array.from({ length: 10 }, (_, i) => ({ x: i, y: Math.sin(i) })), { method: 'lbfgs' });
    expect(() => g.update([{ x: 1, y: 0 }])).toThrow(/update\(rows\) is online EM: .*GP/);
    await p.model('M').fit([{ x: 1 }, { x: 2 }, { x: 3 }, { x: 8 }, { x: 9 }, { x: 10 }], { seed: 1 });
    expect(() => p.model('M').update([{ x: 1 }], { alpha: 0.4 })).toThrow(/alpha must lie in \(0.5, 1\]/);
  });
});
