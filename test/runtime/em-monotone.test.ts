// EM never lowers the mean log-likelihood between iterations (property test over random data
// sets and model structures: Gaussian variants, count and categorical leaves, nesting).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../stdlib/random.js';
import { runFits, writeCsv } from '../helpers/programs.js';

const STRUCTURES = [
  'mixture(k = 3) of Normal(full)',
  'mixture(k = 3) of Normal(diag)',
  'mixture(k = 2) of Normal(spherical)',
  'mixture(k = 3) of Normal(tied)',
  'mixture(k = 2) of mixture(k = 2) of Normal(diag)',
  'mixture(k = 3) of product { x: Laplace, (y): Normal, c: Poisson, g: Categorical }',
  'mixture(k = 2) of product { (x, y): Normal(full), c: Poisson, g: Categorical }',
];

describe('EM is monotone', () => {
  it('the mean log-likelihood never decreases', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(...STRUCTURES), fc.integer({ min: 40, max: 200 }), (seed, structure, n) => {
        const rng = new Rng(seed);
        const rows: number[][] = [];
        for (let i = 0; i < n; i++) {
          const c = rng.int(3);
          rows.push([c * 3 + rng.normal(), c - rng.normal() * 0.7, rng.poisson(1 + 3 * c), (c + rng.int(2)) % 3]);
        }
        const path = writeCsv(['x', 'y', 'c', 'g'], rows);
        const usesAll = structure.includes('product');
        const cols = usesAll ? 'x: real, y: real, c: int, g: categorical' : 'x: real, y: real';
        const s = runFits(`data d from "${path}" { ${cols} }
model M = ${structure}
fit M on d by em(max_iter = 40, tol = 0, seed = ${seed % 1000}, reg_covar = 0)`);
        const trace = s.fitted.get('M')!.result!.trace;
        expect(trace.length).toBeGreaterThan(1);
        for (let i = 1; i < trace.length; i++) {
          expect(trace[i]!).toBeGreaterThanOrEqual(trace[i - 1]! - 1e-9 * Math.abs(trace[i - 1]!));
        }
      }),
      { numRuns: 30, seed: 11 },
    );
  });
});
