import { describe, expect, it } from 'vitest';
import { distributions, getDistribution } from '../../../stdlib/distributions/index.js';
import type { VarType } from '../../../ir/types.js';
import { Rng } from '../../../stdlib/random.js';

const NAMES = ['Normal', 'Categorical', 'Bernoulli', 'Binomial', 'Poisson', 'Exponential', 'Gamma', 'Beta', 'Laplace', 'StudentT', 'LogNormal'];
const REAL: VarType = { kind: 'real' };
const INT: VarType = { kind: 'int' };
const BOOL: VarType = { kind: 'bool' };
const CAT: VarType = { kind: 'categorical', levels: ['a', 'b', 'c'] };

describe('distribution registry', () => {
  it('has every family under its user-facing name', () => {
    expect([...distributions.keys()].sort()).toEqual([...NAMES].sort());
    for (const name of NAMES) {
      expect(getDistribution(name)!.name).toBe(name);
      expect(getDistribution(name)!.argNames.length).toBeGreaterThan(0);
    }
    expect(getDistribution('Gaussian')).toBeUndefined();
  });

  it('accepts the right column types', () => {
    const accepted = (t: VarType): string[] => NAMES.filter((n) => getDistribution(n)!.accepts(t)).sort();
    expect(accepted(REAL)).toEqual(['Beta', 'Exponential', 'Gamma', 'Laplace', 'LogNormal', 'Normal', 'StudentT']);
    expect(accepted(INT)).toEqual(['Bernoulli', 'Binomial', 'Exponential', 'Gamma', 'Laplace', 'LogNormal', 'Normal', 'Poisson', 'StudentT']);
    expect(accepted(BOOL)).toEqual(['Bernoulli', 'Categorical']);
    expect(accepted(CAT)).toEqual(['Categorical']);
  });

  it('argNames are the documented user arguments', () => {
    expect(getDistribution('Normal')!.argNames).toEqual(['mean', 'sd', 'var', 'cov']);
    expect(getDistribution('Normal')!.variants).toEqual(['full', 'diag', 'spherical', 'tied']);
    expect(getDistribution('StudentT')!.argNames).toEqual(['df', 'loc', 'scale']);
    expect(getDistribution('Categorical')!.argNames).toEqual(['probs']);
  });

  it('every family initializes, fits and scores a small data set with finite values', () => {
    const rng = new Rng(5);
    const data: Record<string, () => number> = {
      Normal: () => rng.normal(),
      Categorical: () => rng.int(3),
      Bernoulli: () => rng.int(2),
      Binomial: () => rng.binomial(8, 0.4),
      Poisson: () => rng.poisson(3),
      Exponential: () => rng.gamma(1),
      Gamma: () => rng.gamma(2),
      Beta: () => rng.beta(2, 3),
      Laplace: () => rng.normal(),
      StudentT: () => rng.normal(),
      LogNormal: () => Math.exp(rng.normal()),
    };
    for (const name of NAMES) {
      const fam = getDistribution(name)!;
      const ctx = { dims: 2, units: 2, variant: fam.variants[0] ?? '', levels: name === 'Categorical' ? [3, 3] : [0, 0] };
      const n = 50;
      const x = Float64Array.from({ length: n * 2 }, data[name]!);
      x[3] = NaN;
      const resp = Float64Array.from({ length: n * 2 }, (_, k) => (k % 2 === Math.floor(k / 2) % 2 ? 1 : 0));
      const opts = { regCovar: 1e-6, fixed: new Set<string>() };
      let p = fam.init(x, n, resp, ctx, rng, opts);
      p = fam.mstep(x, n, resp, ctx, p, opts);
      const specs = fam.paramSpecs(ctx);
      for (const s of specs) expect(p[s.role]!.length, `${name}.${s.role}`).toBe(s.shape.reduce((a, b) => a * b, 1));
      const out = new Float64Array(n * 2);
      fam.logDensity(p, ctx, x, n, out);
      expect(out.every(Number.isFinite), name).toBe(true);
    }
  });
});
