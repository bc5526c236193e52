// A GMM's marginals equal numerical integration of its joint; its conditionals integrate to 1,
// equal joint / marginal, and match the closed-form conditional mixture.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../../language/parse.js';
import type { QueryAnswer } from '../../../runtime/queries/answer.js';
import type { Session } from '../../../session/session.js';
import { Session as S } from '../../../session/session.js';
import { compileOk } from '../../helpers/programs.js';

function session(text: string): Session {
  return new S(compileOk(text));
}

function ask(s: Session, model: string, q: string): QueryAnswer {
  const { query, diagnostics } = parseQuery(q);
  if (!query) throw new Error(diagnostics.map((d) => d.message).join('; '));
  return s.query(model, query);
}

function logp(s: Session, model: string, q: string): number {
  const a = ask(s, model, q);
  if (a.kind !== 'density') throw new Error('not a density');
  return a.logValue;
}

/** Composite Simpson on [a, b] with n (even) intervals. */
function simpson(f: (t: number) => number, a: number, b: number, n = 2000): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

const TWO = `model G(x, y) = mixture(weights = [0.3, 0.7]) {
  Normal(mean = [0, 1], cov = [[1, 0.5], [0.5, 2]]),
  Normal(mean = [3, -1], cov = [[0.5, -0.2], [-0.2, 1]])
}`;

describe('marginals and conditionals of a 2-D GMM', () => {
  const s = session(TWO);

  it('the marginal of x equals the integral of the joint over y', () => {
    for (const a of [-1.5, 0.3, 2.2, 4]) {
      const numeric = simpson((y) => Math.exp(logp(s, 'G', `logp(x = ${a}, y = ${y})`)), -20, 20);
      expect(logp(s, 'G', `logp(x = ${a})`)).toBeCloseTo(Math.log(numeric), 6);
    }
  });

  it('the conditional of y given x integrates to 1 and equals joint / marginal', () => {
    for (const a of [-1, 1.7, 3.5]) {
      const total = simpson((y) => Math.exp(logp(s, 'G', `logp(y = ${y} | x = ${a})`)), -20, 20);
      expect(total).toBeCloseTo(1, 6);
      const b = 0.4;
      expect(logp(s, 'G', `logp(y = ${b} | x = ${a})`)).toBeCloseTo(logp(s, 'G', `logp(x = ${a}, y = ${b})`) - logp(s, 'G', `logp(x = ${a})`), 10);
    }
  });

  it('p(y | x = a) is the closed-form conditional mixture', () => {
    const a = 1.7;
    const comps = [
      { w: 0.3, mx: 0, my: 1, sxx: 1, sxy: 0.5, syy: 2 },
      { w: 0.7, mx: 3, my: -1, sxx: 0.5, sxy: -0.2, syy: 1 },
    ];
    const lik = comps.map((c) => c.w * Math.exp(-0.5 * ((a - c.mx) ** 2) / c.sxx) / Math.sqrt(2 * Math.PI * c.sxx));
    const z = lik[0]! + lik[1]!;
    const post = lik.map((l) => l / z);
    const cm = comps.map((c) => c.my + (c.sxy / c.sxx) * (a - c.mx));
    const cv = comps.map((c) => c.syy - (c.sxy * c.sxy) / c.sxx);
    const mean = post[0]! * cm[0]! + post[1]! * cm[1]!;
    const second = post[0]! * (cv[0]! + cm[0]! ** 2) + post[1]! * (cv[1]! + cm[1]! ** 2);
    const ans = ask(s, 'G', `p(y | x = ${a})`);
    if (ans.kind !== 'distribution') throw new Error('expected a distribution');
    expect(ans.summary[0]!.mean).toBeCloseTo(mean, 10);
    expect(ans.summary[0]!.sd).toBeCloseTo(Math.sqrt(second - mean * mean), 10);
    expect(ans.components!.map((c) => c.weight)).toEqual([expect.closeTo(post[0]!, 10), expect.closeTo(post[1]!, 10)]);
    expect(ans.components![1]!.mean[0]).toBeCloseTo(cm[1]!, 10);
    expect(ans.components![1]!.sd[0]).toBeCloseTo(Math.sqrt(cv[1]!), 10);
  });

  it('posterior component probabilities match Bayes rule on the marginal', () => {
    const a = 1.7;
    const ans = ask(s, 'G', `posterior(x = ${a})`);
    if (ans.kind !== 'posterior') throw new Error('expected posterior');
    const l0 = 0.3 * Math.exp(-0.5 * a * a) / Math.sqrt(2 * Math.PI);
    const l1 = (0.7 * Math.exp((-0.5 * (a - 3) ** 2) / 0.5)) / Math.sqrt(2 * Math.PI * 0.5);
    expect(ans.probs[0]).toBeCloseTo(l0 / (l0 + l1), 10);
  });
});

describe('marginals of a 3-D GMM', () => {
  const s = session(`model H(x, y, z) = mixture(weights = [0.5, 0.5]) {
    Normal(mean = [0, 0, 0], cov = [[1, 0.3, 0.1], [0.3, 1, -0.4], [0.1, -0.4, 1.5]]),
    Normal(mean = [2, 1, -1], cov = [[0.7, 0, 0.2], [0, 1.2, 0.3], [0.2, 0.3, 0.9]])
  }`);
  it('the marginal of (x, z) equals the integral of the joint over y', () => {
    for (const [a, c] of [
      [0.5, -0.5],
      [2, 0.3],
    ]) {
      const numeric = simpson((y) => Math.exp(logp(s, 'H', `logp(x = ${a}, y = ${y}, z = ${c})`)), -15, 15, 1200);
      expect(logp(s, 'H', `logp(x = ${a}, z = ${c})`)).toBeCloseTo(Math.log(numeric), 6);
    }
  });
});

describe('conditionals of random 2-D GMMs (property)', () => {
  it('integrate to 1', () => {
    const comp = fc.record({
      mx: fc.double({ min: -3, max: 3, noNaN: true }),
      my: fc.double({ min: -3, max: 3, noNaN: true }),
      sx: fc.double({ min: 0.3, max: 2, noNaN: true }),
      sy: fc.double({ min: 0.3, max: 2, noNaN: true }),
      rho: fc.double({ min: -0.9, max: 0.9, noNaN: true }),
    });
    fc.assert(
      fc.property(comp, comp, fc.double({ min: 0.05, max: 0.95, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), (c1, c2, w, a) => {
        const cov = (c: typeof c1): string => `[[${c.sx ** 2}, ${c.rho * c.sx * c.sy}], [${c.rho * c.sx * c.sy}, ${c.sy ** 2}]]`;
        const g = session(`model G(x, y) = mixture(weights = [${w}, ${1 - w}]) {
          Normal(mean = [${c1.mx}, ${c1.my}], cov = ${cov(c1)}), Normal(mean = [${c2.mx}, ${c2.my}], cov = ${cov(c2)}) }`);
        const total = simpson((y) => Math.exp(logp(g, 'G', `logp(y = ${y} | x = ${a})`)), -25, 25, 1000);
        expect(total).toBeCloseTo(1, 4);
      }),
      { numRuns: 25, seed: 7 },
    );
  });
});
