// EM numerics under outliers and extreme scales (issue 22, "Numerics"): one extreme row used to
// block the default fit with a "collapsed ... remove duplicated rows" error (the row inflated
// the column variance the collapse test measures against); data scaled by 1e-150 used to
// "converge" with every variance equal to reg_covar; data scaled by 1e150 got the collapse
// message instead of the real cause (the column's variance overflows).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PmixError } from '../../runtime/errors.js';
import { runFits, tempDir } from '../helpers/programs.js';

const COLS = ['bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g'];
const penguins = readFileSync(join(__dirname, '..', '..', 'examples', 'data', 'penguins.csv'), 'utf8').trim().split('\n');
const header = penguins[0]!.split(',');
const idx = COLS.map((c) => header.indexOf(c));
/** Penguins' four measurements (empty = missing), each value through f(value, row, column). */
function rows(f: (v: number, row: number, col: string) => number = (v) => v): string[][] {
  return penguins.slice(1).map((line, r) => {
    const cells = line.split(',');
    return idx.map((j, c) => {
      const s = cells[j]!;
      return s === '' || s === 'NA' ? '' : String(f(Number(s), r, COLS[c]!));
    });
  });
}

function fit(data: string[][], model: string, em = 'em'): number {
  const dir = tempDir();
  writeFileSync(join(dir, 'p.csv'), [COLS.join(','), ...data.map((r) => r.join(','))].join('\n') + '\n');
  const text = `data d from "p.csv" { ${COLS.map((c) => `${c}: real`).join(', ')} }\nmodel M = ${model}\nfit M on d by ${em}`;
  return runFits(text, join(dir, 'm.pmix')).fitted.get('M')!.summary!.mean_log_likelihood;
}

function fitError(data: string[][], model: string): PmixError {
  try {
    fit(data, model);
  } catch (e) {
    expect(e).toBeInstanceOf(PmixError);
    return e as PmixError;
  }
  throw new Error('the fit succeeded');
}

/** Observed cells per row, averaged: the Jacobian of scaling every value by c is -mean(cells) ln c. */
const meanObserved = rows().reduce((s, r) => s + r.filter((c) => c !== '').length, 0) / rows().length;

describe('EM under one extreme row', () => {
  it('a body mass of 1e12 in one row: the default fit runs (it stopped blaming duplicated rows)', () => {
    const ll = fit(rows((v, r, c) => (r === 7 && c === 'body_mass_g' ? 1e12 : v)), 'mixture(k = 3) of Normal(full)');
    expect(Number.isFinite(ll)).toBe(true);
    // The extreme row costs likelihood but the other rows keep a fit close to the clean one's.
    expect(ll).toBeLessThan(fit(rows(), 'mixture(k = 3) of Normal(full)') + 1e-9);
  });

  it('a body mass of 1e6 in one row with full covariances: the default fit runs', () => {
    expect(Number.isFinite(fit(rows((v, r, c) => (r === 7 && c === 'body_mass_g' ? 1e6 : v)), 'mixture(k = 3) of Normal(full)'))).toBe(true);
  });
});

describe('EM at extreme scales', () => {
  for (const variant of ['full', 'diag', 'spherical']) {
    it(`Normal(${variant}): fitting 1e-150 x gives the log-likelihood of x plus the Jacobian`, () => {
      const model = `mixture(k = 3) of Normal(${variant})`;
      const base = fit(rows(), model, 'em(restarts = 2, seed = 1)');
      const small = fit(rows((v) => v * 1e-150), model, 'em(restarts = 2, seed = 1)');
      expect(small - base).toBeCloseTo(meanObserved * 150 * Math.LN10, 4);
    }, 60_000);
  }

  it('data scaled by 1e-300: the column whose variance underflows is named, with the fix (it used to fit a meaningless model)', () => {
    const e = fitError(rows((v) => v * 1e-300), 'mixture(k = 3) of Normal(full)');
    expect(e.message).toMatch(/column '\w+' is too small for a Normal leaf: its variance .* is at the bottom of double precision/);
  });

  it('data scaled by 1e150: the column whose variance overflows is named, with the fix', () => {
    const e = fitError(rows((v) => v * 1e150), 'mixture(k = 3) of Normal(full)');
    expect(e.message).toMatch(/column 'body_mass_g' is too large for a Normal leaf: its variance overflows double precision \(row \d+ holds 6\.30e\+153\)/);
    expect(e.hint).toMatch(/rescale the column/);
    expect(e.message).not.toMatch(/collapsed/);
  });
});
