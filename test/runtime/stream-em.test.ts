// Streaming full-batch EM (runtime/learners/stream-em.ts) is exact EM: on data that fits in
// memory, with an initialization sample that holds every row, it gives the parameters of
// in-memory EM (emSteps) to 1e-8 whatever the chunk size, for Gaussian variants, count and
// categorical leaves, nested mixtures, missing cells and sample weights; through a session it
// streams a CSV (em(stream = true, chunk = N), or by itself over the memory limit).
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../stdlib/random.js';
import { compileOk, runFits, writeCsv } from '../helpers/programs.js';
import { Session } from '../../session/session.js';
import type { ModelState } from '../../runtime/state.js';
import { runToEnd } from '../../runtime/learners/drive.js';
import { emSteps } from '../../runtime/learners/em.js';
import { memorySource, streamEMSteps } from '../../runtime/learners/stream-em.js';
import { selectColumns } from '../../runtime/data/dataset.js';
import type { EMSettings } from '../../compiler/program.js';

const STRUCTURES = [
  'mixture(k = 3) of Normal(full)',
  'mixture(k = 3) of Normal(diag)',
  'mixture(k = 2) of Normal(spherical)',
  'mixture(k = 3) of Normal(tied)',
  'mixture(k = 2) of mixture(k = 2) of Normal(diag)',
  'mixture(k = 3) of product { (x, y): Normal(diag), c: Poisson, g: Categorical }',
  'mixture(k = 2) of product { (x, y): Normal(full), c: Poisson, b: Bernoulli }',
];

function rowsOf(seed: number, n: number, missing: boolean): number[][] {
  const rng = new Rng(seed);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const c = rng.int(3);
    const r = [c * 3 + rng.normal(), c - rng.normal() * 0.7, rng.poisson(1 + 3 * c), (c + rng.int(2)) % 3, rng.uniform() < 0.2 + 0.3 * c ? 1 : 0, 1 + rng.int(3)];
    if (missing && rng.uniform() < 0.1) r[rng.int(2)] = NaN;
    rows.push(r);
  }
  return rows;
}

function paramsOf(s: ModelState): Map<string, Float64Array> {
  return new Map([...s.values].map(([k, v]) => [k, v.slice()]));
}

function expectSameParams(got: ModelState, want: ModelState, rel: number): void {
  const w = paramsOf(want);
  for (const [k, g] of paramsOf(got)) {
    const e = w.get(k)!;
    for (let i = 0; i < e.length; i++) {
      if (!(Math.abs(g[i]! - e[i]!) <= rel * Math.max(1, Math.abs(e[i]!)))) expect.fail(`${k}[${i}]: stream ${g[i]} vs in-memory ${e[i]}`);
    }
  }
}

const HEADER = ['x', 'y', 'c', 'g', 'b', 'w'];
const COLS = 'x: real, y: real, c: int, g: categorical, b: int, w: real';

describe('streaming EM', () => {
  it('gives the parameters of in-memory EM for any chunk size', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.constantFrom(...STRUCTURES),
        fc.integer({ min: 30, max: 150 }),
        fc.integer({ min: 1, max: 200 }),
        fc.boolean(),
        fc.boolean(),
        (seed, structure, n, chunk, missing, weighted) => {
          const path = writeCsv(HEADER, rowsOf(seed, n, missing));
          const head = structure.includes('product') ? 'M' : 'M(x, y)';
          const session = new Session(compileOk(`data d from "${path}" { ${COLS} }\nmodel ${head} = ${structure}\nfit M on d ${weighted ? 'weights w ' : ''}by em(max_iter = 6, tol = 0, seed = ${seed % 100})`));
          const step = session.program.steps[0]! as Extract<(typeof session.program.steps)[number], { kind: 'fit' }>;
          const vars = session.variables('M', 'd', step.weights);
          const data = session.dataset('d');
          const x = selectColumns(data, vars.map((v) => v.name));
          const weights = Float64Array.from({ length: n }, (_, i) => (weighted ? data.values[i * data.columns.length + 5]! : 1));
          const settings = step.settings as EMSettings;
          const a = runToEnd(emSteps(session.lower('M', vars, { x, n }), x, n, weights, settings));
          const b = runToEnd(streamEMSteps(session.lower('M', vars, { x, n }), memorySource(x, n, vars.length, weights), { ...settings, chunk }));
          expect(b.rows).toBe(n);
          expect(b.result.iterations).toBe(a.result.iterations);
          expectSameParams(b.state, a.state, 1e-8);
          expect(Math.abs(b.result.meanLogLikelihood - a.result.meanLogLikelihood)).toBeLessThan(1e-8 * Math.abs(a.result.meanLogLikelihood));
          a.result.trace.forEach((t, i) => expect(Math.abs(b.result.trace[i]! - t)).toBeLessThan(1e-8 * Math.max(1, Math.abs(t))));
        },
      ),
      { numRuns: 40, seed: 5 },
    );
  });

  it('streams a CSV through a session: em(stream = true, chunk = N) == em()', () => {
    const path = writeCsv(HEADER, rowsOf(3, 500, true));
    const text = (args: string): string => `data d from "${path}" { ${COLS} }\nmodel M = mixture(k = 3) of product { (x, y): Normal(full), c: Poisson, g: Categorical }\nfit M on d weights w by em(max_iter = 8, tol = 0, seed = 2${args})`;
    const mem = runFits(text(''));
    const str = runFits(text(', stream = true, chunk = 37'));
    expect(str.fitted.get('M')!.streamed).toEqual({ name: 'd', path, rows: 500 });
    expect(str.fitted.get('M')!.data).toBeUndefined();
    expectSameParams(str.fitted.get('M')!.state, mem.fitted.get('M')!.state, 1e-8);
    const [a, b] = [mem.fitted.get('M')!.summary!, str.fitted.get('M')!.summary!];
    expect(b.rows).toBe(a.rows);
    expect(Math.abs(b.bic - a.bic)).toBeLessThan(1e-6 * Math.abs(a.bic));
    expect(str.artifact('M').provenance).toMatchObject({ data: { name: 'd', rows: 500 } });
  });

  it('streams by itself when loading the file would exceed the memory limit', () => {
    const path = writeCsv(HEADER, rowsOf(4, 3000, false));
    const program = compileOk(`data d from "${path}" { ${COLS} }\nmodel M(x, y) = mixture(k = 2) of Normal(diag)\nfit M on d by em(max_iter = 5, tol = 0, chunk = 100, init_rows = 5000)`);
    // Neither loading nor streaming fits: refused with the estimate, as before.
    expect(() => new Session(program, { maxMemory: 5_000 }).fit(program.steps[0] as never)).toThrow(/over the limit/);
    const small = new Session(program, { maxMemory: 1_000_000 });
    expect(small.check()).toEqual([]);
    small.fit(program.steps[0] as never);
    expect(small.fitted.get('M')!.streamed?.rows).toBe(3000);
    const big = new Session(program, { maxMemory: 1e9 });
    big.fit(program.steps[0] as never);
    expect(big.fitted.get('M')!.streamed).toBeUndefined();
    expectSameParams(small.fitted.get('M')!.state, big.fitted.get('M')!.state, 1e-8);
  });

  it('initializes from a reservoir sample when the data is larger than it', () => {
    const path = writeCsv(HEADER, rowsOf(6, 2000, false));
    const s = runFits(`data d from "${path}" { ${COLS} }\nmodel M(x, y) = mixture(k = 3) of Normal(diag)\nfit M on d by em(stream = true, chunk = 300, init_rows = 200, max_iter = 50, seed = 1)`);
    const f = s.fitted.get('M')!;
    expect(f.summary!.rows).toBe(2000);
    const trace = f.result!.trace;
    for (let i = 1; i < trace.length; i++) expect(trace[i]!).toBeGreaterThanOrEqual(trace[i - 1]! - 1e-9 * Math.abs(trace[i - 1]!));
  });

  it('refuses leaves whose M-step needs every row, and bad cells name the row', () => {
    const path = writeCsv(HEADER, rowsOf(7, 50, false));
    expect(() => runFits(`data d from "${path}" { ${COLS} }\nmodel M(x, y) = mixture(k = 2) of StudentT\nfit M on d by em(stream = true)`)).toThrow(/StudentT needs every row at once/);
    const bad = writeCsv(['x', 'y'], [[1, 2], [3, 4], [5, 6]]);
    writeFileSync(bad, 'x,y\n1,2\n3,oops\n5,6\n');
    expect(() => runFits(`data d from "${bad}" { x: real, y: real }\nmodel M = mixture(k = 2) of Normal(diag)\nfit M on d by em(stream = true)`)).toThrow(/row 2, column 'y': 'oops' is not a number/);
    expect(() => runFits(`data d from "${path}" { ${COLS} }\nmodel M(x, y) = mixture(k = 2) of Normal(diag)\nfit M on d by em(stream = true, batch = 10)`)).toThrow(/does not combine with mini-batch EM/);
  });
});
