// Fit checks (session/fit-checks.ts, docs/fitting.md): more parameters than data values warn;
// each column's fitted marginal is compared with the data, by the largest probability gap
// (discrete) or the Kolmogorov-Smirnov distance (real), against closed forms computed here.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/programs.js';
import { FLAG_GAP, FLAG_KS, threshold } from '../../session/fit-checks.js';

const root = new URL('../../', import.meta.url).pathname;
const dir = tempDir();

function run(name: string, csv: string, model: string): { json: any; text: string } {
  writeFileSync(join(dir, `${name}.csv`), csv);
  writeFileSync(join(dir, `${name}.pmix`), `data d from "${name}.csv" { ${model.split('\n')[0]} }\n${model.split('\n').slice(1).join('\n')}\n`);
  const args = [join(root, 'dist/cli/main.js'), 'run', join(dir, `${name}.pmix`), '--no-progress'];
  const j = spawnSync(process.execPath, [...args, '--json'], { encoding: 'utf8' });
  const t = spawnSync(process.execPath, args, { encoding: 'utf8' });
  expect(j.status, j.stderr).toBe(0);
  return { json: JSON.parse(j.stdout), text: t.stdout };
}

function erf(x: number): number {
  // Abramowitz-Stegun 7.1.26 is too coarse here; a series / continued fraction to 1e-12.
  const t = Math.abs(x);
  if (t < 3) {
    let sum = t;
    let term = t;
    for (let n = 1; n < 200; n++) {
      term *= (-t * t) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (t + f);
  return Math.sign(x) * (1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f));
}

describe('fit checks', () => {
  it("a Poisson on cars' cylinders is flagged at 4 cylinders: fitted p(4) is the Poisson pmf at the mean", () => {
    const counts: [number, number][] = [[3, 4], [4, 207], [5, 3], [6, 84], [8, 108]];
    const values = counts.flatMap(([v, c]) => Array<number>(c).fill(v));
    const { json, text } = run('cyl', 'cylinders\n' + values.join('\n') + '\n', 'cylinders: int\nmodel M = Poisson\nfit M on d by em');
    const lambda = values.reduce((a, b) => a + b, 0) / values.length;
    const pmf = (k: number): number => (Math.exp(-lambda) * lambda ** k) / [1, 1, 2, 6, 24, 120, 720, 5040, 40320][k]!;
    const gaps = counts.map(([v, c]) => ({ v, gap: Math.abs(pmf(v) - c / values.length) }));
    const worst = gaps.reduce((a, b) => (b.gap > a.gap ? b : a));
    const check = json.fits[0].fit_checks[0];
    expect(check).toMatchObject({ column: 'cylinders', measure: 'gap', flagged: true });
    expect(check.at.value).toBe(String(worst.v));
    expect(check.at.value).toBe('4');
    expect(check.distance).toBeCloseTo(worst.gap, 9);
    expect(check.at.fitted).toBeCloseTo(pmf(4), 9);
    expect(check.distance).toBeGreaterThan(FLAG_GAP);
    expect(text).toMatch(/check: column 'cylinders' fits poorly: p\(4\) = 0\.1\d+ fitted, 0\.51 in the data/);
  });

  it('a Categorical on the same column is not flagged (its gaps are 0 at the MLE)', () => {
    const { json, text } = run('cat', 'c\n' + ['a', 'a', 'b', 'c', 'a', 'b'].join('\n') + '\n', 'c: categorical\nmodel M = Categorical\nfit M on d by em');
    expect(json.fits[0].fit_checks[0].distance).toBeLessThan(1e-9);
    expect(text).not.toContain('check:');
  });

  it('a Normal: the KS distance is the one computed with the closed-form CDF; flagged for skewed data, not for normal data', () => {
    // Skewed: squares of an even grid on [0, 1] (a density 1 / (2 sqrt(x))).
    const skewed = Array.from({ length: 200 }, (_, i) => ((i + 0.5) / 200) ** 2);
    const symmetric = Array.from({ length: 200 }, (_, i) => {
      // Normal quantiles at (i + 0.5) / 200 by bisection on the erf CDF.
      const p = (i + 0.5) / 200;
      let lo = -10;
      let hi = 10;
      for (let k = 0; k < 100; k++) {
        const mid = (lo + hi) / 2;
        if (0.5 * (1 + erf(mid / Math.SQRT2)) < p) lo = mid;
        else hi = mid;
      }
      return lo;
    });
    for (const [name, xs, flagged] of [['skew', skewed, true], ['sym', symmetric, false]] as const) {
      const { json } = run(name, 'x\n' + xs.join('\n') + '\n', 'x: real\nmodel M = Normal\nfit M on d by em');
      const n = xs.length;
      const mean = xs.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
      const sorted = [...xs].sort((a, b) => a - b);
      let ks = 0;
      sorted.forEach((x, i) => {
        const F = 0.5 * (1 + erf((x - mean) / sd / Math.SQRT2));
        ks = Math.max(ks, Math.abs(F - i / n), Math.abs(F - (i + 1) / n));
      });
      const check = json.fits[0].fit_checks[0];
      expect(check.measure).toBe('ks');
      expect(check.distance).toBeCloseTo(ks, 3);
      expect(check.flagged).toBe(flagged);
      expect(ks > FLAG_KS).toBe(flagged);
      expect(check.threshold).toBe(FLAG_KS); // 200 rows: 1/sqrt(200) < 0.1
    }
  });

  it('on few rows the threshold is the noise size, 1/sqrt(n): 25 rows flag at 0.2, not 0.1', () => {
    expect(threshold(FLAG_KS, 25)).toBeCloseTo(0.2, 12);
    expect(threshold(FLAG_GAP, 10_000)).toBe(FLAG_GAP);
  });

  it('mixture(k = 10) on 6 rows warns: more free parameters than data values', () => {
    const { json, text } = run('six', 'x,y\n1,2\n2,3\n3,5\n4,4\n5,7\n6,6\n', 'x: real, y: real\nmodel M = mixture(k = 10) of Normal(full)\nfit M on d by em(seed = 1)');
    // 10 weights - 1 + 10 x (2 means + 3 covariance entries) = 59 parameters, 12 values.
    expect(json.fits[0].parameters).toBe(59);
    expect(json.fits[0].warnings).toEqual([expect.stringContaining('more free parameters (59) than data values (12)')]);
    expect(text).toContain('warning: more free parameters (59) than data values (12)');
  });
});
