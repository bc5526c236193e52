// End-to-end tests of the `pmix` command (the built dist/cli/main.js): outputs, exit codes
// (0 ok, 1 bad input, 2 bad usage), no stack traces, atomic outputs.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/programs.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'dist/cli/main.js');

function pmix(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, PMIX_BACKEND: '' } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('pmix run', () => {
  it('runs an example and prints fits and query answers as JSON', () => {
    const r = pmix('run', 'examples/football.pmix', '--json');
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    expect(o.fits).toHaveLength(1);
    expect(Object.keys(o.fits[0])).toEqual(expect.arrayContaining(['model', 'iterations', 'converged', 'mean_log_likelihood', 'bic', 'aic']));
    expect(o.queries).toHaveLength(4);
    const p00 = o.queries[0].answer.value;
    expect(p00).toBeGreaterThan(0.03);
    expect(p00).toBeLessThan(0.15);
  });

  it('prints a readable summary', () => {
    const r = pmix('run', 'examples/penguins.pmix');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/fit Penguins on penguins by em: converged after \d+ iterations/);
    expect(r.out).toMatch(/mean log-likelihood -?\d/);
    expect(r.out).toMatch(/BIC/);
    expect(r.out).toMatch(/query Penguins: posterior/);
  });
});

describe('pmix fit, score, query, sample', () => {
  const dir = tempDir();
  const model = join(dir, 'penguins.json');
  const fit = pmix('fit', 'examples/penguins.pmix', '--out', model, '--json');

  it('fit writes an artifact with provenance', () => {
    expect(fit.code).toBe(0);
    const a = JSON.parse(readFileSync(model, 'utf8'));
    expect(a.format).toBe('pmix-model');
    expect(a.provenance.iterations).toBeGreaterThan(0);
    expect(a.provenance.fit.method).toBe('em');
  });

  it('score reproduces the fitted mean log-likelihood on the training data', () => {
    const r = pmix('score', model, '--data', 'examples/data/penguins.csv', '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    // Two of the 344 rows have every measurement missing: they score exactly 0 and, as in
    // scikit-learn's score, the mean is over every row given (344), so it equals the fit's mean.
    expect(s.n).toBe(344);
    expect(s.empty_rows).toBe(2);
    expect(s.mean_log_likelihood).toBeCloseTo(JSON.parse(fit.out).fit.mean_log_likelihood, 8);
    const per = pmix('score', model, '--data', 'examples/data/penguins.csv', '--per-row');
    expect(per.out.trim().split('\n')).toHaveLength(345);
  });

  it('query answers and rejects a bad query with a caret and exit 1', () => {
    const ok = pmix('query', model, 'logp(bill_length_mm = 40)', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).answer.log_value).toBeLessThan(0);
    const bad = pmix('query', model, 'logp(bill_lenght_mm = 40)');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("<query>:1:6: error: 'bill_lenght_mm' is not a variable of this model");
    expect(bad.err).toContain("did you mean 'bill_length_mm'?");
    expect(bad.err).not.toMatch(/at .*\.js:\d+/);
  });

  it('sample is repeatable with a seed', () => {
    const a = pmix('sample', model, '-n', '5', '--seed', '3');
    const b = pmix('sample', model, '-n', '5', '--seed', '3');
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    const lines = a.out.trim().split('\n');
    expect(lines[0]).toBe('bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g');
    expect(lines).toHaveLength(6);
  });
});

describe('bad input and usage', () => {
  it('check reports model errors with exit 1 and no stack trace', () => {
    const dir = tempDir();
    const f = join(dir, 'bad.pmix');
    writeFileSync(f, 'model M = mixture(k = 3 of Normal\nmodel N = Poisson(rate = -2)\nfit M on nowhere by em()\n');
    const r = pmix('check', f);
    expect(r.code).toBe(1);
    expect(r.err).toContain("bad.pmix:1:25: error: expected ')' but found 'of'");
    expect(r.err).not.toMatch(/at .*\.js:\d+/);
  });

  it('a missing model file is an input error', () => {
    const r = pmix('run', 'no/such/file.pmix');
    expect(r.code).toBe(1);
    expect(r.err).toContain("cannot read model file 'no/such/file.pmix': no such file");
  });

  it('bad usage exits 2', () => {
    expect(pmix('run').code).toBe(2);
    expect(pmix('fit', 'examples/penguins.pmix').code).toBe(2); // --out is required
    expect(pmix('sample', 'x.json', '-n', 'lots').code).toBe(2);
    expect(pmix('frobnicate').code).toBe(2);
  });

  it('a fit on bad data writes nothing', () => {
    const dir = tempDir();
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, 'bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g\n1,2,3,4\n5,six,7,8\n');
    const out = join(dir, 'm.json');
    const r = pmix('fit', 'examples/penguins.pmix', '--data', `penguins=${csv}`, '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toContain("row 2, column 'bill_depth_mm': 'six' is not a number");
    expect(existsSync(out)).toBe(false);
  });

  it('a newer artifact is refused', () => {
    const dir = tempDir();
    const f = join(dir, 'new.json');
    writeFileSync(f, JSON.stringify({ format: 'pmix-model', version: 7 }));
    const r = pmix('query', f, 'logp(x = 1)');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/format version 7, written by a newer pmix/);
  });
});

describe('pmix info', () => {
  it('names the backend and why', () => {
    const r = pmix('info', '--json');
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    expect(['tensorflow', 'wasm', 'cpu']).toContain(o.backend);
    expect(o.reason.length).toBeGreaterThan(5);
  });
});
