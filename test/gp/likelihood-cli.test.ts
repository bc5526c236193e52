// End-to-end: the pmix command (built dist/cli/main.js) on a GP classifier: run the example,
// fit to an artifact, predict a CSV with a p column, and bad likelihood text and labels
// reported on file:line:col / row and column with exit 1.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/programs.js';
import { outsideArea, tickLabels } from '../plot/svg-read.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'dist/cli/main.js');

function pmix(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('pmix with a GP classifier', () => {
  it('runs the two-moons example, fits an artifact and predicts probabilities to CSV', () => {
    const r = pmix('run', 'examples/gp-classify.pmix', '--json', '--no-progress');
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    // scikit-learn 1.2's optimum on the same data (bench/gp-two-moons.mjs): -54.8320 before rounding the inputs.
    expect(o.fits[0].gp.log_marginal_likelihood).toBeCloseTo(-54.832, 2);
    const rows = o.queries[0].answer.rows;
    expect(rows[0].y.p).toBeLessThan(0.1);
    expect(rows[2].y.p).toBeGreaterThan(0.9);
    const dir = tempDir();
    const model = join(dir, 'moons.json');
    expect(pmix('fit', 'examples/gp-classify.pmix', '--out', model, '--no-progress').code).toBe(0);
    const input = join(dir, 'new.csv');
    writeFileSync(input, 'a,b\n-1,0.5\n2,0\n');
    const out = join(dir, 'preds.csv');
    expect(pmix('predict', model, '--data', input, '--out', out).code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('a,b,mean,std,std_y,p');
    const p = lines.slice(1).map((l) => Number(l.split(',')[5]));
    expect(p[0]).toBeCloseTo(rows[0].y.p, 8);
    expect(p[1]).toBeCloseTo(rows[2].y.p, 8);
    // The decision map (plot/'s 2-D picture): p as contour bands on the fixed [0, 1] scale,
    // the p = 0.5 boundary, the 200 training points, round ticks on both axes, nothing outside the frame.
    const svg = join(dir, 'moons.svg');
    expect(pmix('plot', model, '--out', svg).code).toBe(0);
    const pic = readFileSync(svg, 'utf8');
    expect(pic.startsWith('<svg')).toBe(true);
    expect(pic.match(/<circle /g)).toHaveLength(200);
    const xt = tickLabels(pic, 'x-ticks');
    const yt = tickLabels(pic, 'y-ticks');
    expect(xt.length).toBeGreaterThanOrEqual(3);
    expect(yt.length).toBeGreaterThanOrEqual(3);
    expect(outsideArea(pic)).toEqual([]);
    const density = /<g class="density"[^>]*>(.*?)<\/g>/.exec(pic)![1]!;
    expect(density).not.toContain('<rect');
    // p runs from near 0 to near 1 over the moons: all 20 bands of the fixed scale are there,
    // the lowest painted blue, the highest red.
    const fills = [...density.matchAll(/fill="rgb\((\d+), (\d+), (\d+)\)"/g)].map((m) => m.slice(1).map(Number));
    expect(fills).toHaveLength(20);
    expect(fills[0]![2]!).toBeGreaterThan(fills[0]![0]! + 100);
    expect(fills[19]![0]!).toBeGreaterThan(fills[19]![2]! + 100);
    // The boundary: map its vertices back to (a, b) through the tick labels' linear maps and
    // predict there: p is 0.5 up to the grid's interpolation.
    const line = /<path class="boundary" d="([^"]+)"/.exec(pic)![1]!;
    const vertices = [...line.matchAll(/[ML]([-\d.]+),([-\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(vertices.length).toBeGreaterThan(100);
    const back = (ts: typeof xt, px: number, coord: 'x' | 'y'): number => {
      const [t0, t1] = [ts[0]!, ts[ts.length - 1]!];
      const at = (t: typeof t0): number => (coord === 'x' ? t.x : t.y - 4);
      return t0.value + ((px - at(t0)) / (at(t1) - at(t0))) * (t1.value - t0.value);
    };
    const picked = vertices.filter((_, i) => i % 17 === 0);
    const onLine = join(dir, 'boundary.csv');
    writeFileSync(onLine, `a,b\n${picked.map(([x, y]) => `${back(xt, x!, 'x')},${back(yt, y!, 'y')}`).join('\n')}\n`);
    const predOut = join(dir, 'boundary-p.csv');
    expect(pmix('predict', model, '--data', onLine, '--out', predOut).code).toBe(0);
    const ps = readFileSync(predOut, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[5]));
    expect(ps).toHaveLength(picked.length);
    for (const q of ps) expect(Math.abs(q - 0.5)).toBeLessThan(0.03);
  });

  it('pmix check --cost counts a Laplace step as four Choleskys', () => {
    const c = pmix('check', '--cost', 'examples/gp-classify.pmix');
    expect(c.code).toBe(0);
    expect(c.out).toContain('4 times a 200 x 200 Cholesky for the Laplace approximation');
  });

  it('reports a bad likelihood on file:line:col and a bad label by row and column, exit 1', () => {
    const dir = tempDir();
    const data = join(dir, 'd.csv');
    writeFileSync(data, 'x,y\n0,1\n1,0\n2,3\n');
    const file = join(dir, 'bad.pmix');
    writeFileSync(file, `data d from "${data}" { x: real, y: real }\nmodel C = gp(x -> y) {\n  likelihood = bernoulli(link = logt)\n}\nfit C on d by lbfgs\n`);
    const c = pmix('check', file);
    expect(c.code).toBe(1);
    expect(c.err).toContain(`${file}:3:33: error: bernoulli's link is logit or probit`);
    expect(c.err).toContain("did you mean 'logit'?");
    expect(c.err).not.toMatch(/\n\s+at /);
    const labels = join(dir, 'labels.pmix');
    writeFileSync(labels, `data d from "${data}" { x: real, y: real }\nmodel C = gp(x -> y) { likelihood = bernoulli }\nfit C on d by lbfgs\n`);
    const f = pmix('run', labels, '--no-progress');
    expect(f.code).toBe(1);
    expect(f.err).toMatch(/row 3, column 'y': a bernoulli label is 0 or 1 \(or false\/true\), got 3/);
    expect(f.err).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'never.json'))).toBe(false);
  });

  it('takes a bool or a two-level categorical label (p is of true / the second level)', () => {
    const dir = tempDir();
    const data = join(dir, 'd.csv');
    // The same labels as bool and as categorical("A", "B"): B where ok is true.
    const rows = ['x,ok,kind'];
    for (let i = 0; i < 40; i++) {
      const x = -3 + (6 * i) / 39;
      const ok = Math.sin(1.5 * x) + 0.4 * Math.sin(17 * i) > 0;
      rows.push(`${x},${ok},${ok ? 'B' : 'A'}`);
    }
    writeFileSync(data, rows.join('\n') + '\n');
    const file = join(dir, 'm.pmix');
    writeFileSync(file, `data d from "${data}" { x: real, ok: bool, kind: categorical("A", "B") }\nmodel C1 = gp(x -> ok) { kernel = 1 * rbf(ls = 1); likelihood = bernoulli }\nmodel C2 = gp(x -> kind) { kernel = 1 * rbf(ls = 1); likelihood = bernoulli }\nfit C1 on d by lbfgs\nfit C2 on d by lbfgs\nquery C1: predict(x = [1.05, -1.05])\nquery C2: predict(x = [1.05, -1.05])\n`);
    const r = pmix('run', file, '--json', '--no-progress');
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    const p1 = o.queries[0].answer.rows.map((row: { y: { p: number } }) => row.y.p);
    const p2 = o.queries[1].answer.rows.map((row: { y: { p: number } }) => row.y.p);
    expect(p1[0]).toBeGreaterThan(0.6);
    expect(p1[1]).toBeLessThan(0.4);
    expect(p2[0]).toBeCloseTo(p1[0], 10);
    expect(p2[1]).toBeCloseTo(p1[1], 10);
    const three = join(dir, 'three.pmix');
    writeFileSync(three, `data d from "${data}" { x: real, ok: bool, kind: categorical("A", "B", "C") }\nmodel C = gp(x -> kind) { likelihood = bernoulli }\nfit C on d by lbfgs\n`);
    const t = pmix('check', three);
    expect(t.code).toBe(1);
    expect(t.err).toContain(`${three}:2:19: error: a bernoulli GP's label has two levels, but 'kind' has 3`);
  });

  it('refuses vecchia inference with a likelihood, once, at its span (a query after the failed fit adds no copy)', () => {
    const dir = tempDir();
    const file = join(dir, 'v.pmix');
    const text = readFileSync(join(root, 'examples/gp-classify.pmix'), 'utf8')
      .replace('data/moons.csv', join(root, 'examples/data/moons.csv'))
      .replace('likelihood = bernoulli(link = logit)', 'likelihood = bernoulli(link = logit)\n  inference = vecchia(m = 10)');
    writeFileSync(file, text);
    const r = pmix('check', file);
    expect(r.code).toBe(1);
    const line = text.split('\n').findIndex((l) => l.includes('vecchia')) + 1;
    const message = `${file}:${line}:15: error: vecchia inference takes the gaussian likelihood`;
    expect(r.err).toContain(message);
    expect(r.err.split(message).length - 1).toBe(1);
  });
});
