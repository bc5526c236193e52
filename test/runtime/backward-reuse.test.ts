// backward() takes over the arrays of an earlier result (EM hands the previous iteration's
// back) without zeroing them: each child's first writer overwrites its flow or zeroes it. Lent
// arrays full of NaN must then give the flows and counts of fresh arrays, folded and
// node by node, on random circuits (DAGs: children with several parents, repeated children,
// mixing nodes, Kronecker products) and on a quad-tree circuit.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { lowerModel } from '../../compiler/lower.js';
import { backward, forward, useFolding, type EdgeCounts, type NodeValues } from '../../runtime/evaluate.js';
import { ModelState } from '../../runtime/state.js';
import { Rng } from '../../stdlib/random.js';
import { compileOk } from '../helpers/programs.js';
import { circuitArb } from '../helpers/random-circuits.js';

afterEach(() => useFolding(true));

function check(s: ModelState, x: Float64Array, n: number, w: Float64Array): void {
  const vals = forward(s, x, n);
  const fresh: EdgeCounts = new Map();
  const want = backward(s, vals, n, w, fresh);
  const lent: NodeValues = new Map([...want].map(([id, a]) => [id, new Float64Array(a.length).fill(NaN)]));
  const counts: EdgeCounts = new Map();
  const got = backward(s, vals, n, w, counts, lent);
  for (const [id, f] of want) {
    expect(got.get(id), id).toBe(lent.get(id)); // the lent array was taken over
    close(got.get(id)!, f, id);
  }
  for (const [k, c] of fresh) close(counts.get(k)!, c, k);
}

/**
 * Equal to 1e-12 relative: the mixing kernel reuses the exps its forward kept for the first
 * backward after it only, so a second backward may round differently at the last bit.
 */
function close(got: Float64Array, want: Float64Array, what: string): void {
  for (let i = 0; i < want.length; i++) {
    if (Object.is(got[i], want[i])) continue;
    expect(Math.abs(got[i]! - want[i]!), `${what}[${i}] ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(1e-12 * Math.abs(want[i]!));
  }
}

describe('backward with lent arrays', () => {
  it.each([true, false])('random circuits (folding %s)', (fold) => {
    useFolding(fold);
    fc.assert(
      fc.property(fc.oneof(circuitArb({ kind: 'discrete', maxVars: 6 }), circuitArb({ kind: 'continuous', maxVars: 2 })), fc.integer({ min: 1, max: 70 }), (g, n) => {
        const rng = new Rng(n);
        const V = g.vars.length;
        const x = Float64Array.from({ length: n * V }, (_, k) => {
          if (rng.uniform() < 0.1) return NaN;
          const t = g.vars[k % V]!.type;
          return t.kind === 'categorical' ? Math.floor(rng.uniform() * 3) : t.kind === 'real' ? rng.normal() : rng.uniform() < 0.5 ? 1 : 0;
        });
        check(new ModelState(g), x, n, Float64Array.from({ length: n }, () => rng.uniformOpen()));
      }),
      { numRuns: 60 },
    );
  });

  it('a quad-tree circuit (the wasm sum layer; folds of Hadamard products)', () => {
    const src = 'model M = circuit { region quad_tree(width = 4, arity = 4) inputs Bernoulli sum(units = 6) product hadamard }';
    const vars = Array.from({ length: 16 }, (_, i) => ({ name: `v${i}`, type: { kind: 'int' as const } }));
    const { graph } = lowerModel(compileOk(src), 'M', vars, {});
    const s = new ModelState(graph!);
    const rng = new Rng(4);
    const n = 137;
    const x = Float64Array.from({ length: n * 16 }, () => (rng.uniform() < 0.05 ? NaN : rng.uniform() < 0.4 ? 1 : 0));
    check(s, x, n, Float64Array.from({ length: n }, () => rng.uniformOpen()));
  });
});
