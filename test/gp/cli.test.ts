// End-to-end: the pmix command on a GP model (built dist/cli/main.js): run, fit to an
// artifact, query it, predict a CSV; and bad input reported on file:line:col with exit 1.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/programs.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'dist/cli/main.js');

function pmix(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('pmix with a Gaussian process', () => {
  it('runs the toy example: fit summary and predictions', () => {
    const r = pmix('run', 'examples/gp-toy.pmix', '--json', '--no-progress');
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    expect(o.fits[0].method).toBe('lbfgs');
    expect(o.fits[0].gp.inference).toBe('exact');
    expect(o.fits[0].gp.points).toBe(40);
    const pred = o.queries[0].answer;
    expect(pred.kind).toBe('predict');
    // The truth at x = 5 is sin(5) + 0.3 sin(15) = -0.764.
    const at5 = pred.rows.find((row: { x: number[] }) => row.x[0] === 5);
    expect(Math.abs(at5.mean + 0.764)).toBeLessThan(2.5 * at5.sd + 0.05);
    // Far from the data the uncertainty grows.
    const at12 = pred.rows.find((row: { x: number[] }) => row.x[0] === 12);
    expect(at12.sd).toBeGreaterThan(3 * at5.sd);
  });

  it('fits to an artifact, answers a query from it, and writes predictions as CSV', () => {
    const dir = tempDir();
    const model = join(dir, 'toy.json');
    const f = pmix('fit', 'examples/gp-toy.pmix', '--out', model, '--no-progress');
    expect(f.code).toBe(0);
    expect(f.out).toMatch(/log marginal likelihood/);
    const q = pmix('query', model, 'predict(x = 5)', '--json');
    expect(q.code).toBe(0);
    const row = JSON.parse(q.out).answer.rows[0];
    expect(row.sd).toBeGreaterThan(0);
    const input = join(dir, 'new.csv');
    writeFileSync(input, 'x\n0\n5\n10\n');
    const out = join(dir, 'preds.csv');
    const p = pmix('predict', model, '--data', input, '--out', out);
    expect(p.code).toBe(0);
    const svg = join(dir, 'toy.svg');
    expect(pmix('plot', model, '--out', svg).code).toBe(0);
    const pic = readFileSync(svg, 'utf8');
    expect(pic.startsWith('<svg')).toBe(true);
    expect(pic.match(/<circle /g)).toHaveLength(40);
    expect(pic).toContain('fill-opacity="0.2"');
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('x,mean,std,std_y');
    expect(lines).toHaveLength(4);
    const mid = lines[2]!.split(',').map(Number);
    expect(mid[1]).toBeCloseTo(row.mean, 8);
    expect(mid[2]).toBeCloseTo(row.sd, 8);
  });

  it('reports bad model text on file:line:col and bad query values, exit 1, no stack trace', () => {
    const dir = tempDir();
    const data = join(root, 'examples/data/gp-toy.csv');
    const file = join(dir, 'bad.pmix');
    writeFileSync(file, `data toy from "${data}" { x: real, y: real }\nmodel T = gp(x: real -> y: real) {\n  kernel = 2 * rbff(ls = 1) + matern52(lss = 2)\n}\nfit T on toy by lbfgs\n`);
    const r = pmix('check', file);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}:3:16: error: unknown kernel 'rbff'`);
    expect(r.err).toContain("hint: did you mean 'rbf'?");
    expect(r.err).toContain(`${file}:3:40: error: matern52 has no argument 'lss'`);
    expect(r.err).not.toMatch(/\n\s+at /);
    const wrongMethod = join(dir, 'em.pmix');
    writeFileSync(wrongMethod, `data toy from "${data}" { x: real, y: real }\nmodel T = gp(x -> y) { kernel = rbf(ls = 1) }\nfit T on toy by em\n`);
    const m = pmix('run', wrongMethod, '--no-progress');
    expect(m.code).toBe(1);
    expect(m.err).toContain(`${wrongMethod}:3:17: error: an exact GP is fitted by lbfgs, not em`);
    const model = join(dir, 'm.json');
    expect(pmix('fit', 'examples/gp-toy.pmix', '--out', model, '--no-progress').code).toBe(0);
    const q = pmix('query', model, 'predict(z = 5)');
    expect(q.code).toBe(1);
    expect(q.err).toContain("<query>:1:9: error: 'z' is not an input of this GP (its inputs: x)");
    const badCsv = join(dir, 'bad.csv');
    writeFileSync(badCsv, 'x\n1\nabc\n');
    const out = join(dir, 'never.csv');
    const p = pmix('predict', model, '--data', badCsv, '--out', out);
    expect(p.code).toBe(1);
    expect(p.err).toMatch(/row 2, column 'x'/);
    expect(existsSync(out)).toBe(false);
  });
});
