// MAP/MPE by max-product: exact on deterministic circuits (equal to the brute-force maximum,
// with or without evidence), and on any circuit a lower bound: maxProduct <= log p(point) <=
// the true maximum. Wired into mode(...) for circuits.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deterministic } from '../../../circuits/properties.js';
import { mapState } from '../../../runtime/queries/map.js';
import { Rng } from '../../../stdlib/random.js';
import { agrees, bruteJoint, circuitArb, randomPartial, referenceLogJoint, stateOf } from '../../helpers/random-circuits.js';
import { ask, literals } from './ask.js';

/** The brute-force max of log p over complete assignments agreeing with the evidence. */
function bruteMax(j: ReturnType<typeof bruteJoint>, evidence: Float64Array): number {
  let best = 0;
  for (let i = 0; i < j.n; i++) if (agrees(j.rows, i, evidence)) best = Math.max(best, j.p[i]!);
  return Math.log(best);
}

describe('MAP on random circuits', () => {
  it('is exact on deterministic circuits, with and without evidence', () => {
    fc.assert(
      fc.property(circuitArb({ kind: 'discrete', deterministic: true, maxVars: 10 }), fc.integer(), (g, seed) => {
        expect(deterministic(g)).toEqual([]);
        const s = stateOf(g);
        const j = bruteJoint(g);
        const V = g.vars.length;
        const rng = new Rng(seed);
        for (const ev of [new Float64Array(V).fill(NaN), randomPartial(g, rng, 0.3)]) {
          const want = bruteMax(j, ev);
          if (want === -Infinity) continue;
          const m = mapState(s, ev);
          expect(m.exact).toBe(true);
          expect(Math.abs(m.logDensity - want)).toBeLessThan(1e-6);
          expect(Math.abs(m.maxProduct - want)).toBeLessThan(1e-6);
          expect(Math.abs(referenceLogJoint(g, m.point) - want)).toBeLessThan(1e-6);
          for (let v = 0; v < V; v++) if (!Number.isNaN(ev[v]!)) expect(m.point[v]).toBe(ev[v]);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('is a max-product approximation on any circuit: maxProduct <= log p(point) <= true max, exact when flagged', () => {
    fc.assert(
      fc.property(circuitArb({ kind: 'discrete', maxVars: 10 }), fc.integer(), (g, seed) => {
        const s = stateOf(g);
        const j = bruteJoint(g);
        const ev = randomPartial(g, new Rng(seed), 0.25);
        const want = bruteMax(j, ev);
        if (want === -Infinity) return;
        const m = mapState(s, ev);
        expect(m.exact).toBe(deterministic(g).length === 0);
        expect(Math.abs(m.logDensity - referenceLogJoint(g, m.point))).toBeLessThan(1e-9);
        expect(m.maxProduct).toBeLessThanOrEqual(m.logDensity + 1e-9);
        expect(m.logDensity).toBeLessThanOrEqual(want + 1e-9);
        if (m.exact) expect(Math.abs(m.logDensity - want)).toBeLessThan(1e-6);
      }),
      { numRuns: 40 },
    );
  });

  it('answers mode(...) for circuits, saying whether it is exact', () => {
    fc.assert(
      fc.property(circuitArb({ kind: 'discrete', deterministic: true, minVars: 2, maxVars: 8 }), fc.integer(), (g, seed) => {
        const s = stateOf(g);
        const j = bruteJoint(g);
        const ev = randomPartial(g, new Rng(seed), 0.3);
        ev[0] = NaN;
        const pe = j.p.reduce((acc, p, i) => (agrees(j.rows, i, ev) ? acc + p : acc), 0);
        if (pe === 0) return;
        const given = literals(g, ev);
        const ans = ask(s, given ? `mode(| ${given})` : 'mode()');
        expect(ans.kind).toBe('mode');
        if (ans.kind !== 'mode') return;
        expect(ans.exact).toBe(true);
        expect(ans.method).toMatch(/exact/);
        // Its log density is that of the free variables given the evidence.
        expect(Math.abs(ans.logDensity - (bruteMax(j, ev) - Math.log(pe)))).toBeLessThan(1e-6);
      }),
      { numRuns: 20 },
    );
  });
});
