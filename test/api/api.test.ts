// The embedding API: compile, fit on rows in memory, query, save, load; errors carry
// diagnostics; data paths stay inside a root; several models live side by side.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, load, PmixInputError } from '../../api/index.js';
import { Rng } from '../../stdlib/random.js';
import { tempDir } from '../helpers/programs.js';

const rng = new Rng(12);
const rows = Array.from({ length: 400 }, (_, i) => {
  const c = i % 2;
  return { x: c * 5 + rng.normal(), y: c * -3 + rng.normal() * 0.5, kind: c ? 'b' : 'a', n: rng.poisson(2 + 6 * c) };
});

describe('embedding API', () => {
  it('fits on rows, answers queries, and round-trips through save/load', async () => {
    const program = compile(`model M = mixture(k = 2) of product { (x, y): Normal(full), kind: Categorical, n: Poisson }`);
    const m = program.model('M');
    const summary = await m.fit(rows, { seed: 1, tol: 1e-8, maxIter: 300 });
    expect(summary.converged).toBe(true);
    expect(m.variables.map((v) => v.name)).toEqual(['x', 'y', 'kind', 'n']);
    const lp = m.logProb([{ x: 0, y: 0, kind: 'a', n: 2 }, { x: 5, kind: 'b' }]);
    expect(lp).toHaveLength(2);
    expect(lp[0]).toBeLessThan(0);
    expect(Number.isFinite(lp[1])).toBe(true); // y and n absent: marginalized
    const post = m.posterior([{ x: 5, y: -3 }]);
    expect(post[0]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(Math.max(...post[0]!)).toBeGreaterThan(0.99);
    const samples = m.sample(5, { seed: 2 });
    expect(samples).toHaveLength(5);
    expect(['a', 'b']).toContain(samples[0]!.kind);
    const mode = m.map({ kind: 'b' });
    expect(mode.point.x as number).toBeCloseTo(5, 0);
    const cond = m.condition(['x'], { kind: 'a' });
    expect(cond.kind === 'distribution' && cond.summary[0]!.mean).toBeCloseTo(0, 0);
    const loaded = load(m.save());
    expect(Array.from(loaded.logProb([{ x: 0, y: 0, kind: 'a', n: 2 }]))).toEqual([lp[0]]);
  });

  it('accepts column arrays and keeps models independent', async () => {
    const cols = { x: rows.map((r) => r.x) };
    const p = compile(`model A = mixture(k = 2) of Normal\nmodel B = Normal`);
    const [a, b] = [p.model('A'), p.model('B')];
    await a.fit(cols, { seed: 3 });
    await b.fit(cols);
    expect(a.logProb([{ x: 5 }])[0]).toBeGreaterThan(b.logProb([{ x: 5 }])[0]!);
  });

  it('stops a fit when the signal aborts', async () => {
    const p = compile(`model A = mixture(k = 3) of Normal`);
    const ctl = new AbortController();
    let seen = 0;
    const s = await p.model('A').fit({ x: rows.map((r) => r.x) }, {
      tol: 0,
      maxIter: 500,
      onProgress: (pr) => {
        seen = pr.iteration;
        if (pr.iteration === 3) ctl.abort();
      },
      signal: ctl.signal,
    });
    expect(seen).toBe(3);
    expect(s.iterations).toBe(3);
  });

  it('throws PmixInputError with located diagnostics', () => {
    let err: unknown;
    try {
      compile('model M = mixture(k = 3 of Normal', { file: 'm.pmix' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PmixInputError);
    expect((err as Error).message).toContain("m.pmix:1:25: error: expected ')' but found 'of'");
    const m = compile('model M(x) = Normal(mean = 0, sd = 1)').model('M');
    expect(() => m.query('logp(z = 1)')).toThrow(/'z' is not a variable of this model/);
    expect(() => m.logProb([{ x: 'high' }])).toThrow(/row 1, column 'x': "high" is not a finite number/);
  });

  it('refuses data files outside the root', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in.csv'), 'x\n1\n2\n');
    const ok = compile(`data d from "in.csv" { x: real }\nmodel M = Normal\nfit M on d by em()`, { file: join(dir, 'm.pmix'), root: dir });
    expect(ok.run().fits).toHaveLength(1);
    expect(() => compile(`data d from "../../etc/passwd" { x: real }`, { file: join(dir, 'm.pmix'), root: dir })).toThrow(/outside the allowed root/);
  });
});
