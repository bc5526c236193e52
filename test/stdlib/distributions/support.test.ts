// Each family's declared support (checked against the data before a fit) agrees with its
// log-density: outside it the density is 0 for every parameter value tried; inside it some
// parameter value gives a finite log-density.
import { describe, expect, it } from 'vitest';
import { bernoulli } from '../../../stdlib/distributions/bernoulli.js';
import { beta } from '../../../stdlib/distributions/beta.js';
import { binomial } from '../../../stdlib/distributions/binomial.js';
import { exponential } from '../../../stdlib/distributions/exponential.js';
import { gamma } from '../../../stdlib/distributions/gamma.js';
import { logNormal } from '../../../stdlib/distributions/log-normal.js';
import { poisson } from '../../../stdlib/distributions/poisson.js';
import type { UnivariateDist } from '../../../stdlib/distributions/types.js';
import { distributions } from '../../../stdlib/distributions/index.js';

/** Parameter values per family, spanning their ranges (Binomial: n = 10). */
const THETAS: [UnivariateDist, number[][]][] = [
  [poisson, [[0.1], [1], [40]]],
  [binomial, [[10, 0.01], [10, 0.5], [10, 0.99]]],
  [bernoulli, [[0.01], [0.5], [0.99]]],
  [exponential, [[0.1], [1], [10]]],
  [gamma, [[0.5, 1], [1, 1], [3, 2]]],
  [beta, [[0.5, 0.5], [1, 1], [3, 2]]],
  [logNormal, [[0, 1], [2, 0.3]]],
];

const VALUES = [-1e300, -3, -1, -0.5, -1e-300, 0, 1e-300, 0.25, 0.5, 1, 1.5, 2, 3, 7, 10, 1e6];

describe('declared supports', () => {
  for (const [d, thetas] of THETAS) {
    it(`${d.name}: outside, zero density for every parameter; inside, a finite density for some`, () => {
      expect(d.support).toBeDefined();
      for (const x of VALUES) {
        const finite = thetas.some((t) => Number.isFinite(d.logDensity(x, t, 0)));
        // Binomial's n bounds it above: 1e6 > n is a count outside this n only.
        if (d.support!.contains(x) && !(d === binomial && x > 10)) expect(finite, `${d.name} at ${x}`).toBe(true);
        if (!d.support!.contains(x)) expect(finite, `${d.name} at ${x}`).toBe(false);
      }
    });
  }

  it('families over every real value declare none', () => {
    for (const name of ['Normal', 'Laplace', 'StudentT', 'Categorical']) expect(distributions.get(name)!.support).toBeUndefined();
    for (const name of ['Poisson', 'Binomial', 'Bernoulli', 'Exponential', 'Gamma', 'Beta', 'LogNormal']) expect(distributions.get(name)!.support).toBeDefined();
  });
});
