// Tree gates deeper than two levels (the hierarchical mixture of experts of Jordan & Jacobs):
// the gate is the product of the softmaxes on each expert's path (written here); depth 1 is the
// softmax gate; EM never lowers its objective (fast-check); data from a known 3-level HME are
// recovered (held-out conditional log-likelihood near the true model's); bad trees are refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../../api/index.js';
import { emLearner, gather, logGate, modelOf, specOf } from '../../families/moe/index.js';
import { ModelState } from '../../runtime/state.js';
import { Session } from '../../session/session.js';
import { Rng } from '../../stdlib/random.js';
import { loadState } from '../../session/load-artifact.js';
import { compileOk, writeCsv } from '../helpers/programs.js';

const softmax = (eta: number[]): number[] => {
  const m = Math.max(...eta);
  const e = eta.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

const stateFor = (text: string): ModelState => {
  const s = new Session(compileOk(text));
  s.lower('M', s.variables('M'));
  return new ModelState(s.lowered.get('M')!);
};

const diag = (text: string): string[] => {
  const s = new Session(compileOk(`data d from "${writeCsv(['x', 'y'], [[1, 2]])}" { x: real, y: real }\n${text}\nfit M on d\n`));
  return s.check().map((d) => `${d.span?.startLine}:${d.span?.startColumn} ${d.message}`);
};

describe('a 3-level tree gate', () => {
  it('is the product of the softmaxes on each path (2 x 2 x 3 children)', () => {
    const st = stateFor('model M = experts(x, z -> y) { k = 12; gate = tree(branches = 2, depth = 3) }');
    const rng = new Rng(8);
    const L1 = st.values.get('gate.w')!; // [2, 3]
    const L2 = st.values.get('gate.inner')!; // [2, 2, 3]
    const L3 = st.values.get('gate.level3')!; // [4, 3, 3]
    expect([L1.length, L2.length, L3.length]).toEqual([6, 12, 36]);
    for (const a of [L1, L2, L3]) a.forEach((_, i) => (a[i] = rng.normal()));
    const X = Float64Array.from({ length: 2 * 7 }, () => 2 * rng.normal());
    const lg = logGate(modelOf(st), X, 7);
    for (let i = 0; i < 7; i++) {
      const x = [X[i * 2]!, X[i * 2 + 1]!, 1];
      const lin = (w: Float64Array, off: number): number => x.reduce((s, v, j) => s + v * w[off + j]!, 0);
      const g1 = softmax([0, 1].map((b) => lin(L1, b * 3)));
      let total = 0;
      for (let b = 0; b < 2; b++) {
        const g2 = softmax([0, 1].map((c) => lin(L2, (b * 2 + c) * 3)));
        for (let c = 0; c < 2; c++) {
          const node = b * 2 + c;
          const g3 = softmax([0, 1, 2].map((e) => lin(L3, (node * 3 + e) * 3)));
          for (let e = 0; e < 3; e++) {
            const k = node * 3 + e;
            expect(Math.exp(lg[i * 12 + k]!)).toBeCloseTo(g1[b]! * g2[c]! * g3[e]!, 12);
            total += Math.exp(lg[i * 12 + k]!);
          }
        }
      }
      expect(total).toBeCloseTo(1, 12);
    }
  });

  it('depth 1 is the softmax gate: the same fit', async () => {
    const r = new Rng(3);
    const rows = Array.from({ length: 300 }, () => {
      const x = -3 + 6 * r.uniform();
      return { x, y: x > 0 ? 2 * x + 0.3 * r.normal() : -x + 1 + 0.5 * r.normal() };
    });
    const fit = async (gate: string): Promise<Float64Array> => {
      const m = compile(`model M = experts(x -> y) { k = 3; gate = ${gate} }`).model('M');
      await m.fit(rows, { method: 'em', maxIter: 40, seed: 2 });
      return loadState(m.save()).state.values.get('gate.w')!;
    };
    const a = await fit('tree(depth = 1, ridge = 0.01)');
    const b = await fit('softmax(ridge = 0.01)');
    expect(a.length).toBe(b.length);
    a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(v))));
  });

  it('EM never lowers the objective (depths 1 to 3)', () => {
    fc.assert(
      fc.property(fc.constantFrom([1, 2, 3], [2, 2, 4], [3, 2, 8], [3, 2, 12], [3, 3, 9]), fc.constantFrom('linear', 'poisson'), fc.integer({ min: 0, max: 1e6 }), ([depth, branches, k], expert, seed) => {
        const st = stateFor(`model M = experts(x -> y) { k = ${k}; gate = tree(branches = ${branches}, depth = ${depth}, ridge = 0.01); expert = ${expert} }`);
        const r = new Rng(seed);
        const n = 80;
        const rows = new Float64Array(n * 2);
        for (let i = 0; i < n; i++) {
          const x = 3 * r.normal();
          rows[i * 2] = x;
          rows[i * 2 + 1] = expert === 'poisson' ? r.poisson(Math.exp(0.5 + 0.3 * Math.abs(x))) : Math.sin(x) * 2 + 0.3 * r.normal();
        }
        const { data } = gather(specOf(st.graph), rows, n, 2);
        const run = emLearner(st, data, { restarts: 1, maxIter: 12, seed, outputFloor: new Float64Array(1).fill(1e-6), inputFloor: new Float64Array(1).fill(1e-6) }, 'M').start(0);
        let prev = -Infinity;
        for (let it = 1; it <= 12; it++) {
          const g = run.iterate(it);
          let v = g.next();
          while (!v.done) v = g.next();
          const obj = v.value as number;
          expect(obj).toBeGreaterThanOrEqual(prev - 1e-9 * Math.max(1, Math.abs(prev)));
          prev = obj;
        }
      }),
      { numRuns: 20, seed: 5 },
    );
  });

  it('recovers a known 3-level HME: held-out log-likelihood within 0.02 nats of the true model', async () => {
    // splits at 0 (level 1), at -2 and 2 (level 2), at -3, -1, 1, 3 (level 3): 8 unit-wide regions, each its own line
    const sig = (t: number): number => 1 / (1 + Math.exp(-t));
    const s = 4;
    const gate = (x: number): number[] => {
      const out: number[] = [];
      for (let b = 0; b < 2; b++) {
        const g1 = b === 0 ? sig(-s * x) : sig(s * x);
        for (let c = 0; c < 2; c++) {
          const t2 = b === 0 ? -2 : 2;
          const g2 = c === 0 ? sig(-s * (x - t2)) : sig(s * (x - t2));
          for (let e = 0; e < 2; e++) {
            const t3 = t2 + (c === 0 ? -1 : 1);
            out.push(g1 * g2 * (e === 0 ? sig(-s * (x - t3)) : sig(s * (x - t3))));
          }
        }
      }
      return out;
    };
    const experts = Array.from({ length: 8 }, (_, k) => [k % 2 === 0 ? 1.5 : -1.5, (k - 3.5) * 1.2, 0.25 + 0.05 * (k % 3)] as const);
    const draw = (n: number, seed: number): { x: number; y: number }[] => {
      const r = new Rng(seed);
      return Array.from({ length: n }, () => {
        const x = -4 + 8 * r.uniform();
        const [a, b, sd] = experts[r.categorical(gate(x))]!;
        return { x, y: a * x + b + sd * r.normal() };
      });
    };
    const truth = (x: number, y: number): number => Math.log(gate(x).reduce((acc, g, k) => acc + (g * Math.exp(-0.5 * ((y - experts[k]![0] * x - experts[k]![1]) / experts[k]![2]) ** 2)) / (experts[k]![2] * Math.sqrt(2 * Math.PI)), 0));
    const m = compile('model M = experts(x -> y) { k = 8; gate = tree(branches = 2, depth = 3, ridge = 0) }').model('M');
    await m.fit(draw(2000, 1), { method: 'em', restarts: 2, maxIter: 200, tol: 1e-7, seed: 1 });
    const test = draw(2000, 2);
    const fitted = m.logProb(test).reduce((a, b) => a + b, 0) / test.length;
    const want = test.reduce((acc, r) => acc + truth(r.x, r.y), 0) / test.length;
    expect(Math.abs(fitted - want)).toBeLessThan(0.02);
  }, 240000);
});

describe('bad trees', () => {
  it('are refused on their spans', () => {
    expect(diag('model M = experts(x -> y) { k = 6; gate = tree(branches = 2, depth = 3) }')[0]).toMatch(/k = 6 experts do not fill a tree of depth 3 with 2 branches per node: k must be a multiple of 2\^2 = 4 \(e\.g\. k = 8\)/);
    expect(diag('model M = experts(x -> y) { k = 8; gate = tree(branches = 2, depth = 0) }')[0]).toMatch(/depth = 0: expected a whole number from 1 to 8/);
    expect(diag('model M = experts(x -> y) { k = 8; gate = tree(depth = 3) }')[0]).toMatch(/a tree gate needs its branches/);
    expect(diag('model M = experts(x -> y) { k = 8; gate = tree(branches = 2, depth = 3) }')).toEqual([]);
  });
});
