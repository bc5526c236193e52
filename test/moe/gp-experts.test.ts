// One GP expert is the GP family alone: the same kernel, mean and noise give the same
// predictions and log densities to 1e-8 (fixed hyperparameters: the weighted GP with every
// responsibility 1 is the plain GP), and learned hyperparameters reach the GP's optimum (1e-8 too).
// A mixture of GP experts separates two regimes of different noise.
import { describe, expect, it } from 'vitest';
import { compile } from '../../api/index.js';
import { Rng } from '../../stdlib/random.js';

const rng = new Rng(11);
const rows = Array.from({ length: 40 }, (_, i) => {
  const x = (i / 39) * 6;
  return { x, y: Math.sin(x) + 0.1 * rng.normal() };
});
const at = [{ x: 0.3 }, { x: 2.5 }, { x: 7 }];

describe('one GP expert = the GP family', () => {
  it('fixed hyperparameters: predictions and log densities agree to 1e-8', async () => {
    const items = 'kernel = 1.3 fixed * rbf(ls = 0.8 fixed); noise = 0.02 fixed; mean = constant(c = 0.1 fixed)';
    const gp = compile(`model G = gp(x -> y) { ${items} }`).model('G');
    await gp.fit(rows, { method: 'lbfgs' });
    const moe = compile(`model M = experts(x -> y) { k = 1; expert = gp; ${items} }`).model('M');
    await moe.fit(rows, { method: 'em', maxIter: 3 });
    const a = gp.predict(at);
    const b = moe.predict(at);
    a.forEach((r, i) => {
      expect(b[i]![0]!.mean).toBeCloseTo(r[0]!.mean, 8);
      expect(b[i]![0]!.std_y).toBeCloseTo(r[0]!.std_y, 8);
    });
    const test = [{ x: 1, y: 0.8 }, { x: 4, y: -0.5 }];
    const la = gp.logProb(test);
    const lb = moe.logProb(test);
    la.forEach((v, i) => expect(lb[i]).toBeCloseTo(v, 8));
  });

  it('learned hyperparameters: the same optimum as the GP fitted alone', async () => {
    const items = 'kernel = 1 * rbf(ls = 1); noise = 0.05';
    const gp = compile(`model G = gp(x -> y) { ${items} }`).model('G');
    await gp.fit(rows, { method: 'lbfgs', tol: 1e-9, maxIter: 500 });
    const moe = compile(`model M = experts(x -> y) { k = 1; expert = gp(steps = 50); ${items} }`).model('M');
    await moe.fit(rows, { method: 'em', maxIter: 50, tol: 1e-12 });
    const a = gp.predict(at);
    const b = moe.predict(at);
    a.forEach((r, i) => {
      expect(Math.abs(b[i]![0]!.mean - r[0]!.mean)).toBeLessThan(1e-8);
      expect(Math.abs(b[i]![0]!.std_y - r[0]!.std_y)).toBeLessThan(1e-8);
    });
  });
});

describe('a mixture of GP experts', () => {
  it('refuses more rows than an exact GP may carry, before fitting', async () => {
    const many = Array.from({ length: 5001 }, (_, i) => ({ x: i, y: Math.sin(i) }));
    const m = compile('model M = experts(x -> y) { k = 2; expert = gp }').model('M');
    await expect(m.fit(many, { method: 'em' })).rejects.toThrow(/5,001 rows for exact GP experts; .* at most 5,000/);
  });

  it('separates a quiet regime from a noisy one (gate, noise per expert)', async () => {
    const r2 = new Rng(5);
    const data = Array.from({ length: 120 }, (_, i) => {
      const x = (i / 119) * 10;
      return { x, y: x < 5 ? Math.sin(x) + 0.05 * r2.normal() : Math.cos(x) + 1 * r2.normal() };
    });
    const m = compile('model M = experts(x -> y) { k = 2; gate = softmax(ridge = 0.01); expert = gp; kernel = 1 * rbf(ls = 1) }').model('M');
    await m.fit(data, { method: 'em', restarts: 2, maxIter: 60, seed: 1 });
    const quiet = m.query('p(y | x = 2)');
    const noisy = m.query('p(y | x = 8)');
    if (quiet.kind !== 'distribution' || noisy.kind !== 'distribution') throw new Error('expected distributions');
    expect(quiet.summary[0]!.sd!).toBeLessThan(0.15);
    expect(noisy.summary[0]!.sd!).toBeGreaterThan(0.6);
    expect(noisy.summary[0]!.sd!).toBeLessThan(1.6);
    expect(Math.abs(quiet.summary[0]!.mean! - Math.sin(2))).toBeLessThan(0.1);
  });
});
