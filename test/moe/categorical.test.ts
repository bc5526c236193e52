// Categorical experts: with one expert the fit is multinomial logistic regression (first level the
// reference, the same slope ridge) by Newton written here, to 1e-8; EM with categorical experts never
// lowers its objective; queries give p per level; artifacts round-trip; bad labels name row and column.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile as apiCompile, load } from '../../api/index.js';
import { emLearner, gather, specOf } from '../../families/moe/index.js';
import { ModelState } from '../../runtime/state.js';
import { Session } from '../../session/session.js';
import { Rng } from '../../stdlib/random.js';
import { compileOk, runFits, tempDir } from '../helpers/programs.js';
import { solve } from './helpers.js';

const LEVELS = ['lo', 'mid', 'hi'];

/** Newton on sum_i log softmax(B z_i)_{y_i} - (ridge / 2) |slopes|^2, level 0 the reference: B is [L - 1][D + 1]. */
function multinomialNewton(X: number[][], y: number[], L: number, ridge: number): number[][] {
  const Z = X.map((x) => [...x, 1]);
  const M1 = Z[0]!.length;
  const M = (L - 1) * M1;
  let b = new Array<number>(M).fill(0);
  const probs = (z: number[]): number[] => {
    const eta = [0, ...Array.from({ length: L - 1 }, (_, l) => z.reduce((s, v, j) => s + v * b[l * M1 + j]!, 0))];
    const m = Math.max(...eta);
    const e = eta.map((v) => Math.exp(v - m));
    const s = e.reduce((a, c) => a + c, 0);
    return e.map((v) => v / s);
  };
  for (let it = 0; it < 100; it++) {
    const g = new Array<number>(M).fill(0);
    const H = Array.from({ length: M }, () => new Array<number>(M).fill(0));
    Z.forEach((z, i) => {
      const p = probs(z);
      for (let l = 1; l < L; l++) {
        for (let a = 0; a < M1; a++) {
          g[(l - 1) * M1 + a] += ((y[i] === l ? 1 : 0) - p[l]!) * z[a]!;
          for (let m = 1; m < L; m++) for (let c = 0; c < M1; c++) H[(l - 1) * M1 + a]![(m - 1) * M1 + c] += p[l]! * ((l === m ? 1 : 0) - p[m]!) * z[a]! * z[c]!;
        }
      }
    });
    for (let l = 0; l < L - 1; l++) {
      for (let j = 0; j < M1 - 1; j++) {
        g[l * M1 + j] -= ridge * b[l * M1 + j]!;
        H[l * M1 + j]![l * M1 + j] += ridge;
      }
    }
    const step = solve(H, g);
    b = b.map((v, j) => v + step[j]!);
    if (Math.max(...step.map(Math.abs)) < 1e-14) break;
  }
  return Array.from({ length: L - 1 }, (_, l) => b.slice(l * M1, (l + 1) * M1));
}

function draw(n: number, seed: number): { a: number; b: number; y: number }[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => {
    const a = r.normal();
    const b = 2 * r.uniform();
    const eta = [0, 0.8 * a - 0.5 * b + 0.3, -1.2 * a + 0.7 * b - 0.2];
    const e = eta.map(Math.exp);
    const s = e.reduce((x, v) => x + v, 0);
    return { a, b, y: r.categorical(e.map((v) => v / s)) };
  });
}

function csvOf(rows: { a: number; b: number; y: number }[], label = (y: number): string => LEVELS[y]!): string {
  const path = join(tempDir(), 'cat.csv');
  writeFileSync(path, ['a,b,y', ...rows.map((r) => `${r.a},${r.b},${label(r.y)}`)].join('\n') + '\n');
  return path;
}

const DATA_DECL = (csv: string): string => `data d from "${csv}" { a: real, b: real, y: categorical("lo", "mid", "hi") }`;

describe('one categorical expert = multinomial logistic regression by Newton', () => {
  for (const ridge of [0, 0.5]) {
    it(`ridge ${ridge}: coefficients to 1e-8`, () => {
      const rows = draw(200, 4);
      const s = runFits(`${DATA_DECL(csvOf(rows))}
model M = experts(a, b -> y) { k = 1; expert = multinomial(ridge = ${ridge}) }
fit M on d by em(max_iter = 5)`);
      const got = s.stateOf('M').values.get('expert.coef')!;
      const want = multinomialNewton(rows.map((r) => [r.a, r.b]), rows.map((r) => r.y), 3, ridge).flat();
      expect(got.length).toBe(6);
      want.forEach((v, j) => expect(Math.abs(got[j]! - v)).toBeLessThan(1e-8 * Math.max(1, Math.abs(v))));
    });
  }

  it('an unknown label is refused naming the row and column', () => {
    const rows = draw(20, 5);
    const csv = csvOf(rows, (y) => (y === 2 ? 'hi' : 'lo'));
    const lines = readFileSync(csv, 'utf8').split('\n');
    lines[3] = lines[3]!.replace(/,(lo|hi)$/, ',huge');
    writeFileSync(csv, lines.join('\n'));
    const s = new Session(compileOk(`${DATA_DECL(csv)}\nmodel M = experts(a, b -> y) { k = 1; expert = multinomial }\nfit M on d`));
    expect(() => s.fit(s.program.steps[0] as never)).toThrow(/row 3\b.*'y'|'y'.*row 3\b/);
    expect(() => s.fit(s.program.steps[0] as never)).toThrow(/huge/);
  });

  it('bad items and outputs are diagnostics on their spans', () => {
    const diag = (text: string): string[] => {
      const csv = join(tempDir(), 'd.csv');
      writeFileSync(csv, 'x,y,c\n1,2,a\n');
      const ss = new Session(compileOk(`data d from "${csv}" { x: real, y: real, c: categorical }\n${text}\nfit M on d\n`));
      return ss.check().map((d) => `${d.span?.startLine}:${d.span?.startColumn} ${d.message}`);
    };
    expect(diag('model M = experts(x -> y) { k = 2; expert = multinomial }')[0]).toMatch(/^2:\d+ 'y' is real: multinomial experts take a categorical output/);
    expect(diag('model M = experts(x -> c) { expert = multinomial(ridge = -1) }')[0]).toMatch(/^2:\d+ ridge = -1: expected a number >= 0/);
    expect(diag('model M = experts(x -> c) { expert = multinomial(rige = 1) }')[0]).toMatch(/^2:\d+ a multinomial expert has no argument 'rige'/);
  });
});

describe('mixtures of categorical experts', () => {
  it('EM never lowers the objective', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.constantFrom('softmax', 'gaussian', 'softmax(top = 1)'), fc.integer({ min: 0, max: 1e6 }), (k, gate, seed) => {
        const s = new Session(compileOk(`model M = experts(x -> y) { k = ${k}; gate = ${gate.replace('top = 1', `top = ${Math.max(1, k - 1)}`)}; expert = multinomial }\nmodel N = experts(x -> y) { k = 1 }`.replace('experts(x -> y) { k = 1 }', 'experts(x -> y) { k = 1 }')));
        s.lower('M', [{ name: 'x', type: { kind: 'real' } }, { name: 'y', type: { kind: 'categorical', levels: ['a', 'b', 'c'] } }]);
        const state = new ModelState(s.lowered.get('M')!);
        const r = new Rng(seed);
        const n = 60;
        const rows = new Float64Array(n * 2);
        for (let i = 0; i < n; i++) {
          const x = 2 * r.normal();
          rows[i * 2] = x;
          rows[i * 2 + 1] = x > 0.5 ? r.categorical([0.1, 0.2, 0.7]) : x < -0.5 ? r.categorical([0.7, 0.2, 0.1]) : r.categorical([0.2, 0.6, 0.2]);
        }
        const { data } = gather(specOf(state.graph), rows, n, 2);
        const run = emLearner(state, data, { restarts: 1, maxIter: 20, seed, outputFloor: new Float64Array(1), inputFloor: new Float64Array(1).fill(1e-6) }, 'M').start(0);
        let prev = -Infinity;
        for (let it = 1; it <= 20; it++) {
          const g = run.iterate(it);
          let v = g.next();
          while (!v.done) v = g.next();
          const obj = v.value as number;
          expect(obj).toBeGreaterThanOrEqual(prev - 1e-9 * Math.max(1, Math.abs(prev)));
          prev = obj;
        }
      }),
      { numRuns: 20, seed: 3 },
    );
  });

  it('queries give p per level (summing to 1, matching logp); artifacts round-trip', async () => {
    const rows = draw(300, 6).map((r) => ({ a: r.a, b: r.b, y: LEVELS[r.y]! }));
    const m = apiCompile('model M = experts(a, b -> y) { k = 2; expert = multinomial }').model('M');
    await m.fit(rows, { method: 'em', maxIter: 30, seed: 2 });
    const pred = m.query('predict(a = 0.5, b = 1)');
    if (pred.kind !== 'predict') throw new Error('expected predict');
    const levels = pred.rows[0]!.y!;
    // levels found in the data are sorted (docs/language.md)
    expect(Object.keys(levels)).toEqual(['p_hi', 'p_lo', 'p_mid']);
    expect(Object.values(levels).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    LEVELS.forEach((l) => {
      const lp = m.logProb([{ a: 0.5, b: 1, y: l }])[0]!;
      expect(Math.abs(Math.exp(lp) - levels[`p_${l}`]!)).toBeLessThan(1e-12);
    });
    // queries name a level of the output
    const q = m.query('logp(y = "hi" | a = 0.5, b = 1)');
    if (q.kind !== 'density') throw new Error('expected a density');
    expect(Math.abs(q.logValue - m.logProb([{ a: 0.5, b: 1, y: 'hi' }])[0]!)).toBeLessThan(1e-12);
    expect(() => m.query('logp(y = "huge" | a = 0.5, b = 1)')).toThrow(/'y' is one of the levels "hi", "lo", "mid", got "huge"/);
    const again = load(m.save());
    const at = [{ a: -1, b: 0.2 }, { a: 0.5, b: 1.5 }];
    expect(again.predict(at)).toEqual(m.predict(at));
    expect(again.logProb([{ a: 0.3, b: 1, y: 'hi' }])).toEqual(m.logProb([{ a: 0.3, b: 1, y: 'hi' }]));
    expect(again.query('predict(a = 0.5, b = 1)')).toEqual(pred);
    const sample = m.query('sample(50 | a = 0.5, b = 1)');
    if (sample.kind !== 'sample') throw new Error('expected samples');
    expect(sample.rows.every((r) => [0, 1, 2].includes(r[2]!))).toBe(true);
  });
});
