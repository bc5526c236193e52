// Sampling on random circuits: the frequencies of unconditional and conditional draws pass a
// chi-square test against brute-force enumeration (a threshold at p ~ 1e-7, so a correct
// sampler essentially never fails on these fixed seeds), and evidence is kept in every draw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sampleRows } from '../../../runtime/queries/sample.js';
import { Rng } from '../../../stdlib/random.js';
import { agrees, bruteJoint, circuitArb, randomPartial, stateOf } from '../../helpers/random-circuits.js';
import { ask, literals } from './ask.js';

/** Chi-square statistic of counts vs expected (cells with expected < 5 pooled) and its degrees of freedom. */
function chiSquare(counts: number[], expected: number[]): { stat: number; df: number } {
  let stat = 0;
  let cells = 0;
  let poolO = 0;
  let poolE = 0;
  counts.forEach((o, i) => {
    const e = expected[i]!;
    if (e >= 5) {
      stat += (o - e) ** 2 / e;
      cells++;
    } else {
      poolO += o;
      poolE += e;
    }
  });
  if (poolE > 0) {
    stat += (poolO - poolE) ** 2 / Math.max(poolE, 1e-300);
    cells++;
  }
  return { stat, df: Math.max(1, cells - 1) };
}

/** Upper quantile of chi-square(df) at z standard deviations (Wilson-Hilferty). */
function chiCritical(df: number, z = 5.3): number {
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

/** Index of a complete row among the brute-force assignments. */
function cellOf(rows: Float64Array, n: number, V: number, levels: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let k = 0;
    for (let v = 0; v < V; v++) k = k * levels[v]! + rows[i * V + v]!;
    out.push(k);
  }
  return out;
}

const small = circuitArb({ kind: 'discrete', maxVars: 5 });
const N = 20000;

describe('sampling random circuits', () => {
  it('unconditional draws follow the joint (chi-square)', () => {
    fc.assert(
      fc.property(small, fc.integer(), (g, seed) => {
        const j = bruteJoint(g);
        const V = g.vars.length;
        const levels = g.vars.map((v) => (v.type.kind === 'categorical' ? v.type.levels.length : 2));
        const draws = sampleRows(stateOf(g), N, new Rng(seed));
        const counts = new Array<number>(j.n).fill(0);
        for (const k of cellOf(draws, N, V, levels)) counts[k]!++;
        const { stat, df } = chiSquare(counts, Array.from(j.p, (p) => p * N));
        expect(stat).toBeLessThan(chiCritical(df));
      }),
      { numRuns: 15 },
    );
  });

  it('conditional draws follow p(free | evidence) (chi-square) and keep the evidence', () => {
    fc.assert(
      fc.property(circuitArb({ kind: 'discrete', minVars: 2, maxVars: 6 }), fc.integer(), (g, seed) => {
        const j = bruteJoint(g);
        const V = g.vars.length;
        const rng = new Rng(seed);
        const ev = randomPartial(g, rng, 0.4);
        let pe = 0;
        for (let i = 0; i < j.n; i++) if (agrees(j.rows, i, ev)) pe += j.p[i]!;
        if (pe < 1e-9) return;
        const levels = g.vars.map((v) => (v.type.kind === 'categorical' ? v.type.levels.length : 2));
        const draws = sampleRows(stateOf(g), N, rng, ev);
        let kept = 0;
        for (let i = 0; i < N; i++) for (let v = 0; v < V; v++) if (Number.isNaN(ev[v]!) || draws[i * V + v] === ev[v]) kept++;
        expect(kept).toBe(N * V);
        const counts = new Array<number>(j.n).fill(0);
        for (const k of cellOf(draws, N, V, levels)) counts[k]!++;
        const expected = Array.from(j.p, (p, i) => (agrees(j.rows, i, ev) ? (p / pe) * N : 0));
        const { stat, df } = chiSquare(counts, expected);
        expect(stat).toBeLessThan(chiCritical(df));
      }),
      { numRuns: 15 },
    );
  });

  it('sample(n | ...) draws given the evidence through the query', () => {
    fc.assert(
      fc.property(circuitArb({ kind: 'discrete', minVars: 2, maxVars: 6 }), fc.integer(), (g, seed) => {
        const j = bruteJoint(g);
        const ev = randomPartial(g, new Rng(seed), 0.5);
        ev[0] = 1;
        let pe = 0;
        for (let i = 0; i < j.n; i++) if (agrees(j.rows, i, ev)) pe += j.p[i]!;
        if (pe === 0) return;
        const ans = ask(stateOf(g), `sample(20, seed = 3 | ${literals(g, ev)})`);
        expect(ans.kind).toBe('sample');
        if (ans.kind !== 'sample') return;
        expect(ans.rows).toHaveLength(20);
        const first = g.vars[0]!.type.kind === 'bool' ? true : 'b';
        for (const r of ans.rows) expect(r[0]).toBe(first);
      }),
      { numRuns: 10 },
    );
  });

  it('does not recurse: a chain of 20,000 nested sums samples without a stack overflow', () => {
    const depth = 20000;
    const nodes: import('../../../ir/types.js').IRNode[] = [
      { kind: 'input', id: 'n0', dist: 'Bernoulli', scope: [0], units: 1, params: { p: 'p' } },
    ];
    const params: Record<string, import('../../../ir/types.js').IRParam> = {
      p: { name: 'p', shape: [1, 1], value: [0.3], param: { kind: 'unit' }, fixed: false, init: 'given' },
      w: { name: 'w', shape: [1, 1], value: [1], param: { kind: 'simplex' }, fixed: false, init: 'given' },
    };
    for (let d = 1; d <= depth; d++) nodes.push({ kind: 'sum', id: `n${d}`, children: [`n${d - 1}`], weights: 'w', scope: [0], units: 1 });
    const s = stateOf({ version: 1, family: 'circuit', vars: [{ name: 'x', type: { kind: 'bool' } }], params, nodes, root: `n${depth}` });
    const draws = sampleRows(s, 200, new Rng(1));
    expect(draws.every((x) => x === 0 || x === 1)).toBe(true);
  });
});
