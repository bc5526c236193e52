// End-to-end: the pmix command on a KDE (built dist/cli/main.js): run the Old Faithful example,
// fit to an artifact and query it, plot it, and bad model text reported on file:line:col with exit 1.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKde, logDensity, meanShift } from '../../families/kde/index.js';
import { tempDir } from '../helpers/programs.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'dist/cli/main.js');

function pmix(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const rows = readFileSync(join(root, 'examples/data/faithful.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
const core = createKde({ data: rows, columns: [{ name: 'eruptions', type: 'real' }, { name: 'waiting', type: 'real' }], bandwidth: 'scott' });

describe('pmix with a kernel density estimate', () => {
  it('runs examples/faithful.pmix: h in the summary, logp as the core, two modes', () => {
    const r = pmix('run', 'examples/faithful.pmix', '--json', '--no-progress');
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    expect(o.fits[0].kde.points).toBe(272);
    expect(o.fits[0].kde.h[1]).toBeCloseTo(Math.sqrt(core.H[3]!), 12);
    expect(o.queries[0].answer.log_value).toBeCloseTo(logDensity(core, Float64Array.of(3.1, 70))[0]!, 12);
    const modes = o.queries.find((q: { query: string }) => q.query === 'modes()').answer.rows;
    expect(modes.map((m: number[]) => m.slice(0, 2))).toEqual(meanShift(core).modes.map((m) => Array.from(m.point)));
    const text = pmix('run', 'examples/faithful.pmix', '--no-progress');
    expect(text.out).toMatch(/fit K on faithful by em: nothing to fit \(a kernel density estimate: 272 points stored, bandwidth scott/);
  });

  it('fit --out, then query, score and plot the artifact', () => {
    const dir = tempDir();
    const model = join(dir, 'k.json');
    expect(pmix('fit', 'examples/faithful.pmix', '--out', model, '--no-progress').code).toBe(0);
    const art = JSON.parse(readFileSync(model, 'utf8'));
    expect(art.ir.params['kde.points'].shape).toEqual([272, 2]);
    const q = pmix('query', model, 'p(waiting | eruptions = 4.5)', '--json');
    expect(q.code).toBe(0);
    expect(JSON.parse(q.out).answer.summary[0].mean).toBeGreaterThan(75);
    const m = pmix('query', model, 'modes()');
    expect(m.out.split('\n')[0]).toBe('eruptions,waiting,mass,log_density');
    const sc = pmix('score', model, '--data', 'examples/data/faithful.csv', '--json');
    expect(sc.code).toBe(0);
    const lp = logDensity(core, Float64Array.from(rows.flat()));
    expect(JSON.stringify(JSON.parse(sc.out))).toContain(String(lp.reduce((a, b) => a + b, 0) / lp.length).slice(0, 8));
    const svg = join(dir, 'k.svg');
    expect(pmix('plot', model, '--out', svg).code).toBe(0);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[\s\S]*2 modes[\s\S]*<\/svg>\n$/);
  });

  it('pmix check: bad model text on file:line:col, exit 1, no stack trace; an optimizer refused with a hint', () => {
    const dir = tempDir();
    const file = join(dir, 'bad.pmix');
    writeFileSync(file, `data f from "${join(root, 'examples/data/faithful.csv')}" { eruptions: real  waiting: real }\nmodel K = kde(kernel = tophot, bandwidth = cv(grid = [0]))\nfit K on f\n`);
    const r = pmix('check', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bad\.pmix:2:24: error: unknown kernel 'tophot'/);
    expect(r.err).toMatch(/did you mean 'tophat'\?/);
    expect(r.err).toMatch(/bad\.pmix:2:54: error: cv grid: expected a non-empty vector of numbers > 0/);
    expect(r.err).not.toMatch(/\n\s+at /);
    writeFileSync(file, `data f from "${join(root, 'examples/data/faithful.csv')}" { eruptions: real  waiting: real }\nmodel K = kde()\nfit K on f by lbfgs\n`);
    const m = pmix('run', file, '--no-progress');
    expect(m.code).toBe(1);
    expect(m.err).toMatch(/bad\.pmix:3:15: error: K is a kernel density estimate: its fit stores the data and picks the bandwidth, it runs no lbfgs/);
    expect(m.err).toMatch(/hint: write 'fit K on f'/);
  });
});
