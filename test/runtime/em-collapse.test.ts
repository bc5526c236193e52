// Numerical safety of EM: a component that collapses onto one point is re-initialized a few
// times, then the fit stops naming it; a parameter that goes NaN or infinite stops the fit
// naming the iteration and the parameter; nothing non-finite is returned silently.
import { describe, expect, it } from 'vitest';
import { PmixError } from '../../runtime/errors.js';
import { checkFinite } from '../../runtime/learners/em.js';
import { MAX_REINITS } from '../../runtime/learners/collapse.js';
import { Rng } from '../../stdlib/random.js';
import { modelState, runFits, tempDir, writeCsv } from '../helpers/programs.js';

/** Rows of a standard 2-D Gaussian blob, plus `extra`. */
function blob(n: number, seed: number, extra: number[][] = []): number[][] {
  const rng = new Rng(seed);
  return [...Array.from({ length: n }, () => [rng.normal(), rng.normal()]), ...extra];
}

function fitError(rows: number[][], model: string, fit: string): PmixError {
  const dir = tempDir();
  writeCsv(['x', 'y'], rows, dir);
  try {
    runFits(`data d from "data.csv" { x: real, y: real }\nmodel M = ${model}\nfit M on d by ${fit}`, `${dir}/m.pmix`);
  } catch (e) {
    expect(e).toBeInstanceOf(PmixError);
    return e as PmixError;
  }
  throw new Error('the fit succeeded');
}

describe('collapsed components', () => {
  it('a cluster of identical rows with reg_covar = 0: re-initialized, then an error naming the component', () => {
    const rows = blob(100, 1, Array.from({ length: 50 }, () => [5, 5]));
    const e = fitError(rows, 'mixture(k = 2) of Normal(full)', 'em(reg_covar = 0, max_iter = 200, seed = 1)');
    expect(e.code).toBe('collapsed');
    expect(e.message).toMatch(/EM stopped at iteration \d+: component \d of Normal layer n\d+ \(model text 2:/);
    expect(e.message).toContain(`after ${MAX_REINITS} re-initialization(s)`);
    expect(e.hint).toMatch(/reg_covar/);
  });

  it('the same for diagonal and spherical covariances', () => {
    const rows = blob(100, 2, Array.from({ length: 50 }, () => [5, 5]));
    for (const v of ['diag', 'spherical']) {
      const e = fitError(rows, `mixture(k = 2) of Normal(${v})`, 'em(reg_covar = 0, max_iter = 200, seed = 2)');
      expect(e.code).toBe('collapsed');
    }
  });

  it('a component that starts on a lone outlier is moved and the fit goes on', () => {
    // With reg_covar = 0 a lone row stays a singular point of the likelihood (EM may drift back
    // to it much later); here the component collapses at iteration 1 and the fit runs on.
    const dir = tempDir();
    writeCsv(['x', 'y'], blob(200, 3, [[10, 10]]), dir);
    const text = `data d from "data.csv" { x: real, y: real }
model M = mixture(weights = [0.5, 0.5]) { Normal(mean = [10, 10], cov = [[0.0001, 0], [0, 0.0001]]), Normal(full) }
fit M on d by em(reg_covar = 0, max_iter = 15, seed = 3)`;
    const s = runFits(text, `${dir}/m.pmix`);
    const f = s.fitted.get('M')!;
    expect(Number.isFinite(f.summary!.mean_log_likelihood)).toBe(true);
    expect(f.summary!.iterations).toBe(15);
    for (const v of f.state.values.values()) expect(v.every(Number.isFinite)).toBe(true);
    const mean = f.state.values.get('n0.mean')!;
    expect(Math.hypot(mean[0]! - 10, mean[1]! - 10)).toBeGreaterThan(1); // no longer on the outlier
  });

  it('with the default reg_covar the identical rows are a tight but valid component (scikit-learn behaviour)', () => {
    const dir = tempDir();
    writeCsv(['x', 'y'], blob(100, 4, Array.from({ length: 50 }, () => [5, 5])), dir);
    const s = runFits(`data d from "data.csv" { x: real, y: real }\nmodel M = mixture(k = 2) of Normal(full)\nfit M on d by em(seed = 4)`, `${dir}/m.pmix`);
    expect(Number.isFinite(s.fitted.get('M')!.summary!.mean_log_likelihood)).toBe(true);
  });
});

describe('non-finite values stop a fit with the iteration and the parameter', () => {
  it('checkFinite names the parameter, the entry and the iteration', () => {
    const state = modelState('model G(x) = mixture(weights = [0.5, 0.5]) { Normal(mean = 0, sd = 1), Normal(mean = 3, sd = 1) }', 'G');
    const name = [...state.values.keys()].find((k) => k.endsWith('.mean'))!;
    state.values.get(name)![0] = NaN;
    expect(() => checkFinite(state, 7)).toThrow(new RegExp(`at iteration 7: parameter '${name.replace('.', '\\.')}' \\(entry 0\\) became NaN`));
    state.values.get(name)![0] = Infinity;
    expect(() => checkFinite(state, 0)).toThrow(/during initialization: .* became Infinity/);
  });

  it('data near the float64 limit (1e300, -1e300) stop the fit naming the column (its variance overflows)', () => {
    // Issue 22: refused before the fit with the column and row; it used to stop at a parameter
    // that became infinite.
    const e = fitError(blob(100, 5, [[1e300, 1], [-1e300, 2]]), 'mixture(k = 2) of Normal(full)', 'em(seed = 5)');
    expect(e.code).toBe('non-finite');
    expect(e.message).toMatch(/column 'x' is too large for a Normal leaf: its variance overflows double precision \(row 101 holds 1\.00e\+300\)/);
  });

  it('denormal data is refused before the fit, naming the column (it once gave non-finite, then meaningless, parameters)', () => {
    const rows = Array.from({ length: 60 }, (_, i) => [5e-324 * (i % 3), 1e-310 * (i % 7)]);
    const dir = tempDir();
    writeCsv(['x', 'y'], rows, dir);
    expect(() => runFits(`data d from "data.csv" { x: real, y: real }\nmodel M = mixture(k = 2) of Normal(diag)\nfit M on d by em(seed = 6)`, `${dir}/m.pmix`)).toThrow(/column 'x' is too small for a Normal leaf/);
  });
});
