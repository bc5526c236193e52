// Joint, marginal and conditional probabilities on random circuits (DAGs with dense sums,
// mixing nodes, Hadamard and Kronecker products) equal brute-force enumeration of the joint.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forward, logDensityRows } from '../../../runtime/evaluate.js';
import { Rng } from '../../../stdlib/random.js';
import { bruteJoint, bruteProb, circuitArb, randomPartial, stateOf } from '../../helpers/random-circuits.js';
import { ask, literals } from './ask.js';

const arb = circuitArb({ kind: 'discrete', maxVars: 10 });

describe('probabilities on random circuits', () => {
  it('the joint of every complete assignment equals the reference evaluator and sums to 1', () => {
    fc.assert(
      fc.property(arb, (g) => {
        const j = bruteJoint(g);
        const lp = logDensityRows(stateOf(g), j.rows, j.n);
        let total = 0;
        for (let i = 0; i < j.n; i++) {
          expect(Math.abs(Math.exp(lp[i]!) - j.p[i]!)).toBeLessThan(1e-9);
          total += j.p[i]!;
        }
        expect(total).toBeCloseTo(1, 9);
      }),
      { numRuns: 30 },
    );
  });

  it('marginals of any subset (NaN = missing) equal sums of the joint', () => {
    fc.assert(
      fc.property(arb, fc.integer(), (g, seed) => {
        const s = stateOf(g);
        const j = bruteJoint(g);
        const rng = new Rng(seed);
        for (let k = 0; k < 5; k++) {
          const partial = randomPartial(g, rng, 0.5);
          const p = Math.exp(forward(s, partial, 1).get(g.root)![0]!);
          expect(Math.abs(p - bruteProb(j, partial))).toBeLessThan(1e-9);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('p(A = a | B = b) by the query equals the ratio of brute-force sums', () => {
    fc.assert(
      fc.property(circuitArb({ kind: 'discrete', minVars: 2, maxVars: 10 }), fc.integer(), (g, seed) => {
        const s = stateOf(g);
        const j = bruteJoint(g);
        const rng = new Rng(seed);
        const V = g.vars.length;
        // A: some variables, B: some others, both non-empty.
        const a = randomPartial(g, rng, 0.4);
        const b = randomPartial(g, rng, 0.4);
        const av = rng.int(V);
        const bv = (av + 1 + rng.int(V - 1)) % V;
        if (Number.isNaN(a[av]!)) a[av] = 0;
        for (let v = 0; v < V; v++) if (!Number.isNaN(a[v]!)) b[v] = NaN;
        if (Number.isNaN(b[bv]!)) b[bv] = 0;
        a[bv] = NaN;
        const pb = bruteProb(j, b);
        if (pb < 1e-12) return;
        const both = Float64Array.from(b, (x, v) => (Number.isNaN(x) ? a[v]! : x));
        const want = bruteProb(j, both) / pb;
        const ans = ask(s, `p(${literals(g, a)} | ${literals(g, b)})`);
        expect(ans.kind).toBe('density');
        if (ans.kind === 'density') expect(Math.abs(ans.value - want)).toBeLessThan(1e-6);
      }),
      { numRuns: 30 },
    );
  });
});
