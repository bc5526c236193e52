// Loose ends of mixtures of experts (issue 17): the query binder names the family ("this mixture
// of experts", not "this GP"), pmix check says the method the fit statement uses, and the REPL's
// :plot draws a fitted mixture's predictive (with the fitted data) through plot/.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile as apiCompile } from '../../api/index.js';
import { familyOf } from '../../families/index.js';
import { Session } from '../../session/session.js';
import { compileOk, tempDir, writeCsv } from '../helpers/programs.js';
import { pathPoints } from '../plot/svg-read.js';
import { sampleMoe } from './helpers.js';

const root = new URL('../../', import.meta.url).pathname;
const data = sampleMoe({ gate: { kind: 'softmax', w: [[2, 0], [0, 0]] }, experts: [[1, 0, 0.3], [-1, 1, 0.5]] }, 200, 3);

describe('messages name the family', () => {
  it('the binder says "mixture of experts" for experts and still "GP" for a GP', async () => {
    const m = apiCompile('model M = experts(x -> y) { k = 2 }').model('M');
    await m.fit(data, { method: 'em', maxIter: 5 });
    expect(() => m.query('p(y | z = 1)')).toThrow("'z' is not an input of this mixture of experts (its inputs: x)");
    expect(() => m.query('predict(y = 1)')).toThrow(/'y' is the mixture of experts's output, not an input/);
    expect(() => m.query('mean(y)')).toThrow(/give every input of the mixture of experts: x = \.\.\./);
    const g = apiCompile('model G = gp(x -> y) { kernel = rbf() }').model('G');
    await g.fit(data.slice(0, 30));
    expect(() => g.query('p(y | z = 1)')).toThrow("'z' is not an input of this GP (its inputs: x)");
  });

  it('pmix check says the method of the fit statements (Adam is not described as EM)', () => {
    const csv = writeCsv(['x', 'y'], data.map((r) => [r.x, r.y]));
    const describe = (fit: string): string => {
      const s = new Session(compileOk(`data d from "${csv}" { x: real, y: real }\nmodel M = experts(x -> y) { k = 2 }\n${fit}`));
      expect(s.check()).toEqual([]);
      s.lower('M', s.variables('M'));
      const g = s.lowered.get('M')!;
      const methods = s.program.steps.flatMap((st) => (st.kind === 'fit' && st.model === 'M' ? [st.settings.method] : []));
      return familyOf(g).describe!(g, 'M', 'm.pmix', methods)!.lines[1]!;
    };
    expect(describe('fit M on d by adam(lr = 0.05)')).toMatch(/fitted by Adam/);
    expect(describe('fit M on d by adam(lr = 0.05)')).not.toMatch(/EM/);
    expect(describe('fit M on d by em')).toMatch(/fitted by EM \(experts by weighted least squares, the gate by Newton steps\)/);
    expect(describe('')).toMatch(/fitted by EM/);
  });

  it('pmix check on the command line (built dist/) says Adam', () => {
    const dir = tempDir();
    const csv = writeCsv(['x', 'y'], data.map((r) => [r.x, r.y]), dir);
    const f = join(dir, 'm.pmix');
    writeFileSync(f, `data d from "${csv}" { x: real, y: real }\nmodel M = experts(x -> y) { k = 2 }\nfit M on d by adam(lr = 0.05, epochs = 50)\n`);
    const r = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), 'check', f], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/fitted by Adam/);
    expect(r.stdout).not.toMatch(/fitted by EM/);
  });
});

describe('the REPL draws a fitted mixture of experts', () => {
  it(':plot NAME FILE.svg and :plot NAME x FILE.svg write its predictive picture with the fitted data', () => {
    const dir = tempDir();
    const csv = writeCsv(['x', 'y'], data.map((r) => [r.x, r.y]), dir);
    const f = join(dir, 'm.pmix');
    writeFileSync(f, `data d from "${csv}" { x: real, y: real }\nmodel M = experts(x -> y) { k = 2 }\nfit M on d by em(max_iter = 30)\n`);
    const r = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), 'repl', '--no-history', f], { input: `:plot M ${dir}/a.svg\n:plot M x ${dir}/b.svg\n:plot M\n`, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`wrote ${dir}/a.svg`);
    expect(r.stdout).toContain(`wrote ${dir}/b.svg`);
    expect(r.stdout).toContain('usage: :plot NAME [X [Y]] FILE.svg');
    const svg = readFileSync(join(dir, 'a.svg'), 'utf8');
    expect(svg).toMatch(/^<svg /);
    // the 200 fitted rows as points, the mixture's mean on the 240-point grid, a dashed mean per expert
    expect((svg.match(/<circle /g) ?? []).length).toBe(200);
    expect(pathPoints(svg, 'mean').length).toBe(240);
    expect((svg.match(/<path class="expert-mean"/g) ?? []).length).toBe(2);
    // the same picture (up to the clip path's serial number)
    const unnumbered = (t: string): string => t.replace(/pmix-plot-\d+/g, 'pmix-plot');
    expect(unnumbered(readFileSync(join(dir, 'b.svg'), 'utf8'))).toBe(unnumbered(svg));
  });

  it('a two-input mixture is refused by name', () => {
    const dir = tempDir();
    const csv = writeCsv(['x', 'u', 'y'], data.map((r, i) => [r.x, i % 7, r.y]), dir);
    const f = join(dir, 'm.pmix');
    writeFileSync(f, `data d from "${csv}" { x: real, u: real, y: real }\nmodel M = experts(x, u -> y) { k = 2 }\nfit M on d by em(max_iter = 5)\n`);
    const r = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), 'repl', '--no-history', f], { input: `:plot M ${dir}/a.svg\n`, encoding: 'utf8' });
    expect(r.stdout).toContain("error: 'M' cannot be drawn (a mixture of experts is drawn over one input)");
  });
});
