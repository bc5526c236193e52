// Expectations of leaves on random DAG circuits: E[x_v] and E[x_v | e] (and sd) by the
// expectation pass equal brute-force enumeration; level probabilities from p(x | e) too.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectations } from '../../../runtime/queries/expectation.js';
import { summarize } from '../../../runtime/queries/moments.js';
import { Rng } from '../../../stdlib/random.js';
import { agrees, bruteJoint, circuitArb, randomPartial, stateOf } from '../../helpers/random-circuits.js';
import { ask, literals } from './ask.js';

/** Brute-force E[x_v | e] and sd. */
function bruteMoments(j: ReturnType<typeof bruteJoint>, V: number, v: number, ev: Float64Array): { mean: number; sd: number; pe: number } {
  let pe = 0;
  let m1 = 0;
  let m2 = 0;
  for (let i = 0; i < j.n; i++) {
    if (!agrees(j.rows, i, ev)) continue;
    const x = j.rows[i * V + v]!;
    pe += j.p[i]!;
    m1 += j.p[i]! * x;
    m2 += j.p[i]! * x * x;
  }
  const mean = m1 / pe;
  return { mean, sd: Math.sqrt(Math.max(0, m2 / pe - mean * mean)), pe };
}

describe('expectations on random circuits', () => {
  it('E[x_v | e] and sd equal brute force, with and without evidence', () => {
    fc.assert(
      fc.property(circuitArb({ kind: 'discrete', maxVars: 10 }), fc.integer(), (g, seed) => {
        const s = stateOf(g);
        const j = bruteJoint(g);
        const V = g.vars.length;
        const targets = g.vars.map((_, i) => i);
        for (const ev of [new Float64Array(V).fill(NaN), randomPartial(g, new Rng(seed), 0.3)]) {
          const free = targets.filter((v) => Number.isNaN(ev[v]!));
          if (free.length === 0 || bruteMoments(j, V, 0, ev).pe < 1e-12) continue;
          const e = expectations(s, free, ev);
          free.forEach((v, k) => {
            const b = bruteMoments(j, V, v, ev);
            expect(Math.abs(e.mean[k]! - b.mean)).toBeLessThan(1e-6);
            expect(Math.abs(e.sd[k]! - b.sd)).toBeLessThan(1e-6);
          });
        }
      }),
      { numRuns: 40 },
    );
  });

  it('the unconditional moments pass (moments.ts) agrees on circuits with Kronecker products', () => {
    fc.assert(
      fc.property(circuitArb({ kind: 'discrete', maxVars: 8 }), (g) => {
        const s = stateOf(g);
        const V = g.vars.length;
        const targets = g.vars.map((_, i) => i);
        const e = expectations(s, targets);
        const j = bruteJoint(g);
        summarize(s, targets).forEach((sum, v) => {
          const b = bruteMoments(j, V, v, new Float64Array(V).fill(NaN));
          expect(e.mean[v]!).toBeCloseTo(b.mean, 9);
          // bool/categorical summaries are level probabilities.
          const probs = Object.values(sum.probs!);
          probs.forEach((p, l) => expect(Math.abs(p - bruteProbLevel(j, V, v, l))).toBeLessThan(1e-9));
        });
      }),
      { numRuns: 20 },
    );
  });

  it('mean(... | e) and p(x | e) queries on circuits equal brute force', () => {
    fc.assert(
      fc.property(circuitArb({ kind: 'discrete', minVars: 2, maxVars: 8 }), fc.integer(), (g, seed) => {
        const s = stateOf(g);
        const j = bruteJoint(g);
        const V = g.vars.length;
        const ev = randomPartial(g, new Rng(seed), 0.4);
        ev[0] = NaN;
        const b = bruteMoments(j, V, 0, ev);
        if (b.pe < 1e-12) return;
        const given = literals(g, ev);
        const ans = ask(s, given ? `p(x0 | ${given})` : 'p(x0)');
        expect(ans.kind).toBe('distribution');
        if (ans.kind !== 'distribution') return;
        const probs = Object.values(ans.summary[0]!.probs!);
        probs.forEach((p, l) => {
          const cond = Float64Array.from(ev);
          cond[0] = l;
          let num = 0;
          for (let i = 0; i < j.n; i++) if (agrees(j.rows, i, cond)) num += j.p[i]!;
          expect(Math.abs(p - num / b.pe)).toBeLessThan(1e-6);
        });
        const mean = ask(s, given ? `mean(x0 | ${given})` : 'mean(x0)');
        expect(mean.kind).toBe('mean');
      }),
      { numRuns: 20 },
    );
  });
});

function bruteProbLevel(j: ReturnType<typeof bruteJoint>, V: number, v: number, l: number): number {
  let s = 0;
  for (let i = 0; i < j.n; i++) if (j.rows[i * V + v] === l) s += j.p[i]!;
  return s;
}
