// End-to-end: the pmix command on the multitask GP (built dist/cli/main.js): examples/curves.pmix
// fitted, its new tasks predicted from their 3 given points by pmix predict (the file's y column
// gives them) with the RMSE to the true curves as docs/experts.md gives it, against one GP for
// all curves; pmix check describes the model; pmix plot draws it; bad text and bad data name
// their place with exit 1 and no stack trace.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/programs.js';
import { outsideArea, pathPoints, tickLabels } from '../plot/svg-read.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'dist/cli/main.js');

function pmix(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const csv = (text: string): Record<string, string>[] => {
  const [head, ...lines] = text.trim().split('\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
};

describe('pmix with the multitask GP', () => {
  it('examples/curves.pmix: new tasks from 3 points, RMSE as in docs/experts.md; check and plot', () => {
    const dir = tempDir();
    const truth = csv(readFileSync(join(root, 'examples/data/curves-new-truth.csv'), 'utf8'));
    const given = csv(readFileSync(join(root, 'examples/data/curves-new.csv'), 'utf8'));
    const rmse: Record<string, number> = {};
    for (const model of ['Curves', 'Pooled']) {
      const out = join(dir, `${model}.json`);
      expect(pmix('fit', 'examples/curves.pmix', '--model', model, '--out', out, '--no-progress').code).toBe(0);
      const p = pmix('predict', out, '--data', 'examples/data/curves-new.csv');
      expect(p.code).toBe(0);
      const rows = csv(p.out);
      expect(rows.length).toBe(truth.length);
      let s = 0;
      let n = 0;
      rows.forEach((r, i) => {
        if (given[i]!.y !== '') return;
        s += (Number(r.mean) - Number(truth[i]!.latent)) ** 2;
        n++;
      });
      rmse[model] = Math.sqrt(s / n);
      if (model === 'Curves') {
        // every new task's rows agree on its cluster, and tasks share a cluster exactly when they
        // share a true one ((id - 101) mod 3, scripts/make-curves.py): 3 clusters of 4
        const byTask = new Map(rows.map((r) => [Number(r.id), r.cluster]));
        expect(new Set(rows.map((r) => `${r.id}:${r.cluster}`)).size).toBe(12);
        for (const [a, ca] of byTask) for (const [b, cb] of byTask) expect(ca === cb).toBe((a - 101) % 3 === (b - 101) % 3);
        expect(new Set(byTask.values()).size).toBe(3);
      }
    }
    expect(rmse.Curves!.toFixed(3)).toBe('0.208');
    expect(rmse.Pooled!.toFixed(3)).toBe('1.641');
    const c = pmix('check', 'examples/curves.pmix');
    expect(c.code).toBe(0);
    expect(c.out).toMatch(/a cluster-specific multitask GP: curves y\(t\), one per value of 'id', in 3 clusters/);
    const svg = join(dir, 'c.svg');
    expect(pmix('plot', join(dir, 'Curves.json'), '--out', svg).code).toBe(0);
    const text = readFileSync(svg, 'utf8');
    expect((text.match(/<circle /g) ?? []).length).toBe(443);
    expect((text.match(/<path class="cluster-mean" d="M[^"]+" [^>]*stroke-dasharray="5,3"/g) ?? []).length).toBe(3);
    expect(tickLabels(text, 'x-ticks').length).toBeGreaterThanOrEqual(3);
    expect(outsideArea(text)).toEqual([]);
    expect(pathPoints(text, 'mean').length).toBe(200);
  });

  it('bad model text and bad data: their place, exit 1, no stack trace', () => {
    const dir = tempDir();
    const f = join(dir, 'bad.pmix');
    const data = join(root, 'examples/data/curves-train.csv');
    writeFileSync(f, `data d from "${data}" { id: int, t: real, y: real }\nmodel M = experts(t -> y) { task = id; kernel = periodic(period = 1) }\nfit M on d\n`);
    const r = pmix('check', f);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toMatch(/bad\.pmix:2:49: error: kernel = periodic\(\.\.\.\): a multitask GP's kernels are RBF/);
    expect(r.out + r.err).not.toMatch(/\n\s+at /);
    const one = join(dir, 'one.csv');
    writeFileSync(one, 'id,t,y\n1,0,1\n1,1,2\n2,0,1\n3,0,1\n3,2,2\n');
    writeFileSync(f, `data d from "${one}" { id: int, t: real, y: real }\nmodel M = experts(t -> y) { task = id; k = 2 }\nfit M on d\n`);
    const q = pmix('run', f, '--no-progress');
    expect(q.code).toBe(1);
    expect(q.out + q.err).toMatch(/task 2 \(column 'id', row 3\) has 1 point; every task needs at least 2/);
    expect(q.out + q.err).not.toMatch(/\n\s+at /);
  });
});
