// End-to-end: the pmix command on mixtures of experts (built dist/cli/main.js): the crash
// example's held-out log-likelihoods as the README gives them, pmix predict and plot on the
// artifact, and bad model text reported on file:line:col with exit 1 and no stack trace.
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

describe('pmix with mixtures of experts', () => {
  it('examples/crash.pmix: held-out log-likelihoods as in the README; predict and plot the artifacts', () => {
    const dir = tempDir();
    const held: Record<string, number> = {};
    for (const model of ['Experts', 'Lines', 'Single']) {
      const out = join(dir, `${model}.json`);
      expect(pmix('fit', 'examples/crash.pmix', '--model', model, '--out', out, '--no-progress').code).toBe(0);
      const s = pmix('score', out, '--data', 'examples/data/crash-test.csv', '--json');
      expect(s.code).toBe(0);
      held[model] = JSON.parse(s.out).mean_log_likelihood;
    }
    expect(held.Experts!.toFixed(3)).toBe('-3.662');
    expect(held.Lines!.toFixed(3)).toBe('-3.814');
    expect(held.Single!.toFixed(3)).toBe('-4.195');
    const rows = join(dir, 'rows.csv');
    writeFileSync(rows, 'time\n5\n20\n');
    const p = pmix('predict', join(dir, 'Experts.json'), '--data', rows);
    expect(p.code).toBe(0);
    const lines = p.out.trim().split('\n');
    expect(lines[0]).toBe('time,mean,std,std_y');
    // before the impact the quiet expert alone: sd near the simulated 2
    const [, mean, std] = lines[1]!.split(',').map(Number);
    expect(Math.abs(mean!)).toBeLessThan(1);
    expect(std!).toBeGreaterThan(1);
    expect(std!).toBeLessThan(3);
    const svg = join(dir, 'e.svg');
    expect(pmix('plot', join(dir, 'Experts.json'), '--out', svg).code).toBe(0);
    const text = readFileSync(svg, 'utf8');
    expect(text).toMatch(/^<svg /);
    // the mixture's band and mean, one band and dashed mean per drawn expert run, 133 stored points
    expect((text.match(/<circle /g) ?? []).length).toBe(133);
    expect((text.match(/stroke-dasharray/g) ?? []).length).toBeGreaterThanOrEqual(3);
    // through plot/: round ticks on both axes, every mark inside the frame, the mixture's band
    // and mean, the experts' bands and dashed means (one path each, split where the gate drops them)
    expect(tickLabels(text, 'x-ticks').length).toBeGreaterThanOrEqual(3);
    expect(tickLabels(text, 'y-ticks').length).toBeGreaterThanOrEqual(3);
    expect(outsideArea(text)).toEqual([]);
    expect(pathPoints(text, 'band').length).toBeGreaterThan(100);
    expect(pathPoints(text, 'mean').length).toBe(240);
    expect((text.match(/<path class="expert-band" d="M/g) ?? []).length).toBe(3);
    expect((text.match(/<path class="expert-mean" d="M[^"]+" [^>]*stroke-dasharray="5,3"/g) ?? []).length).toBe(3);
  });

  it('bad model text: file:line:col, exit 1, no stack trace', () => {
    const dir = tempDir();
    const f = join(dir, 'bad.pmix');
    writeFileSync(f, `data d from "${join(root, 'examples/data/crash-train.csv')}" { time: real, accel: real }\nmodel M = experts(time -> accel) { gate = softmax(top = 0) }\nfit M on d\n`);
    const r = pmix('check', f);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toMatch(/bad\.pmix:2:57: error: top = 0: expected a whole number >= 1/);
    expect(r.out + r.err).not.toMatch(/\n\s+at /);
  });
});
