// Missing-value fitting: with 20% of cells blanked at random, EM still converges and its
// parameters are close to those fitted on the complete data.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../stdlib/random.js';
import { runFits, sampleGmm, writeCsv } from '../helpers/programs.js';

describe('EM with missing cells', () => {
  const rows = sampleGmm(
    3000,
    [0.5, 0.5],
    [
      [0, 0, 0],
      [4, 4, -3],
    ],
    [
      [
        [1, 0.6, 0.2],
        [0.6, 1, 0.3],
        [0.2, 0.3, 1],
      ],
      [
        [1.5, -0.5, 0],
        [-0.5, 1, 0.4],
        [0, 0.4, 0.8],
      ],
    ],
    5,
  );
  const rng = new Rng(9);
  const holey = rows.map((r) => r.map((v) => (rng.uniform() < 0.2 ? NaN : v)));
  // rows with every cell missing carry no information; keep them (they must be harmless)
  const fit = (path: string) =>
    runFits(`data d from "${path}" { a: real, b: real, c: real }
model G = mixture(k = 2) of Normal(full)
fit G on d by em(max_iter = 500, tol = 1e-7, restarts = 2, seed = 1)`).fitted.get('G')!;
  const full = fit(writeCsv(['a', 'b', 'c'], rows));
  const part = fit(writeCsv(['a', 'b', 'c'], holey));

  it('converges', () => {
    expect(part.summary!.converged).toBe(true);
  });

  it('recovers the complete-data parameters closely', () => {
    const m1 = Array.from(full.state.values.get('n0.mean')!);
    const m2 = Array.from(part.state.values.get('n0.mean')!);
    // same component order up to a swap
    const swap = Math.abs(m1[0]! - m2[0]!) > Math.abs(m1[0]! - m2[3]!);
    const perm = swap ? [1, 0] : [0, 1];
    for (let k = 0; k < 2; k++) {
      for (let j = 0; j < 3; j++) expect(Math.abs(m2[perm[k]! * 3 + j]! - m1[k * 3 + j]!)).toBeLessThan(0.12);
      const c1 = full.state.values.get('n0.cov')!;
      const c2 = part.state.values.get('n0.cov')!;
      for (let e = 0; e < 9; e++) expect(Math.abs(c2[perm[k]! * 9 + e]! - c1[k * 9 + e]!)).toBeLessThan(0.2);
      const w1 = full.state.values.get('n1.weights')!;
      const w2 = part.state.values.get('n1.weights')!;
      expect(Math.abs(w2[perm[k]!]! - w1[k]!)).toBeLessThan(0.03);
    }
  });
});
