// Adam for mixtures of experts: the gradient of the EM objective (conditional log-likelihood minus
// the ridge penalties) matches central finite differences for every expert Adam fits; on the same
// data Adam reaches EM's objective within 1e-3 per row (every model is now fitted by Adam:
// test/moe/adam-all.test.ts).
import { describe, expect, it } from 'vitest';
import { moeGradient } from '../../families/moe/adam.js';
import { eStep, gather, modelOf, specOf } from '../../families/moe/index.js';
import { ModelState } from '../../runtime/state.js';
import { Session } from '../../session/session.js';
import { Rng } from '../../stdlib/random.js';
import { compileOk, runFits, writeCsv } from '../helpers/programs.js';

function stateFor(expert: string, outType: { kind: 'real' } | { kind: 'int' } | { kind: 'categorical'; levels: string[] }): ModelState {
  const s = new Session(compileOk(`model M = experts(x, z -> y) { k = 3; gate = softmax(ridge = 0.3); expert = ${expert} }`));
  s.lower('M', [{ name: 'x', type: { kind: 'real' } }, { name: 'z', type: { kind: 'real' } }, { name: 'y', type: outType }]);
  return new ModelState(s.lowered.get('M')!);
}

describe('the gradient of the objective', () => {
  const cases = [
    ['linear', { kind: 'real' }, (r: Rng) => r.normal() * 2],
    ['poisson', { kind: 'int' }, (r: Rng) => r.poisson(2)],
    ['bernoulli', { kind: 'int' }, (r: Rng) => (r.uniform() < 0.4 ? 1 : 0)],
    ['multinomial(ridge = 0.2)', { kind: 'categorical', levels: ['a', 'b', 'c'] }, (r: Rng) => r.categorical([0.2, 0.5, 0.3])],
  ] as const;
  for (const [expert, type, drawY] of cases) {
    it(`${expert}: matches central finite differences`, () => {
      const state = stateFor(expert, type as never);
      const r = new Rng(5);
      const n = 40;
      const rows = new Float64Array(n * 3);
      for (let i = 0; i < n; i++) rows.set([r.normal(), r.uniform() * 2, drawY(r)], i * 3);
      const { data } = gather(specOf(state.graph), rows, n, 3);
      data.w.forEach((_, i) => (data.w[i] = 0.5 + (i % 3) / 2));
      const m = modelOf(state);
      const coef = (m.linear ?? m.glm ?? m.cat)!.coef;
      for (const v of [m.softmax!.W.subarray(0, 2 * 3), coef]) v.forEach((_, i) => (v[i] = 0.4 * r.normal()));
      if (m.linear) m.linear.noise.forEach((_, i) => (m.linear!.noise[i] = 0.5 + r.uniform()));
      const g = moeGradient(m, data);
      const f = (): number => eStep(m, data).objective;
      const h = 1e-6;
      const check = (x: Float64Array, grad: ArrayLike<number>, logScale = false): void => {
        for (let i = 0; i < x.length; i++) {
          const x0 = x[i]!;
          const up = logScale ? x0 * Math.exp(h) : x0 + h;
          const dn = logScale ? x0 * Math.exp(-h) : x0 - h;
          x[i] = up;
          const a = f();
          x[i] = dn;
          const b = f();
          x[i] = x0;
          const fd = (a - b) / (2 * h);
          expect(Math.abs(fd - grad[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
        }
      };
      // the reference expert's row (the last) stays 0: not a parameter
      check(m.softmax!.W.subarray(0, 2 * 3), g.gate);
      check(coef, g.coef);
      if (m.linear) check(m.linear.noise, g.logNoise!, true);
    });
  }
});

describe('adam(...) fits', () => {
  const r = new Rng(8);
  const pts = Array.from({ length: 300 }, () => {
    const x = -3 + 6 * r.uniform();
    const first = r.uniform() < 1 / (1 + Math.exp(-2 * x));
    return [x, first ? 1 + 0.8 * x + 0.3 * r.normal() : -1 - 0.5 * x + 0.5 * r.normal()];
  });
  const csv = writeCsv(['x', 'y'], pts);
  const objectivePerRow = (s: Session): number => {
    const state = s.stateOf('M');
    const rows = Float64Array.from(pts.flat());
    const { data } = gather(specOf(state.graph), rows, pts.length, 2);
    return eStep(modelOf(state), data).objective / pts.length;
  };

  it('reaches EM\'s objective within 1e-3 per row', () => {
    const em = objectivePerRow(runFits(`data d from "${csv}" { x: real, y: real }\nmodel M = experts(x -> y) { k = 2 }\nfit M on d by em(restarts = 1, max_iter = 1000, tol = 1e-12, seed = 1)`));
    const adam = objectivePerRow(runFits(`data d from "${csv}" { x: real, y: real }\nmodel M = experts(x -> y) { k = 2 }\nfit M on d by adam(lr = 0.02, epochs = 3000, batch = 300, seed = 1)`));
    console.log(`objective per row: em ${em.toFixed(6)}, adam ${adam.toFixed(6)}`);
    expect(Math.abs(adam - em)).toBeLessThan(1e-3);
  });

  it('Poisson experts: reaches EM\'s objective within 1e-3 per row', () => {
    const rr = new Rng(12);
    const cnt = Array.from({ length: 300 }, () => {
      const x = -2 + 4 * rr.uniform();
      return [x, rr.poisson(rr.uniform() < 1 / (1 + Math.exp(-3 * x)) ? Math.exp(1 + 0.5 * x) : Math.exp(0.3 - 0.4 * x))];
    });
    const file = writeCsv(['x', 'y'], cnt);
    const per = (method: string): number => {
      const state = runFits(`data d from "${file}" { x: real, y: int }\nmodel M = experts(x -> y) { k = 2; expert = poisson }\nfit M on d by ${method}`).stateOf('M');
      const { data } = gather(specOf(state.graph), Float64Array.from(cnt.flat()), cnt.length, 2);
      return eStep(modelOf(state), data).objective / cnt.length;
    };
    const em = per('em(restarts = 1, max_iter = 1000, tol = 1e-12, seed = 1)');
    const adam = per('adam(lr = 0.02, epochs = 3000, batch = 300, seed = 1)');
    console.log(`poisson objective per row: em ${em.toFixed(6)}, adam ${adam.toFixed(6)}`);
    expect(Math.abs(adam - em)).toBeLessThan(1e-3);
  });

});
