// Folding changes nothing numerically: the folded evaluation (same-shaped sum nodes of a depth
// as one batched op) equals node-by-node evaluation, forward values, flows and edge counts.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { foldPlan } from '../../circuits/fold.js';
import { lowerModel } from '../../compiler/lower.js';
import type { IRVariable } from '../../ir/types.js';
import { backward, forward, useFolding, type EdgeCounts } from '../../runtime/evaluate.js';
import { ModelState } from '../../runtime/state.js';
import { Rng } from '../../stdlib/random.js';
import { compileOk } from '../helpers/programs.js';

const vars = (k: number): IRVariable[] => Array.from({ length: k }, (_, i) => ({ name: `x${i}`, type: { kind: 'real' } }));

function randomCircuit(body: string, k: number, seed: number): ModelState {
  const { graph } = lowerModel(compileOk(`model M = ${body}`), 'M', vars(k));
  const s = new ModelState(graph!);
  const rng = new Rng(seed);
  for (const [name, v] of s.values) {
    const p = s.param(name);
    if (p.param.kind === 'simplex') {
      const last = p.shape[p.shape.length - 1]!;
      for (let r = 0; r < v.length / last; r++) {
        let t = 0;
        for (let j = 0; j < last; j++) t += v[r * last + j] = rng.uniformOpen();
        for (let j = 0; j < last; j++) v[r * last + j] /= t;
      }
    } else if (name.endsWith('.mean')) for (let i = 0; i < v.length; i++) v[i] = rng.normal();
    else if (p.param.kind === 'spd' || p.param.kind === 'positive') for (let i = 0; i < v.length; i++) v[i] = 0.5 + rng.uniformOpen();
  }
  return s;
}

const BODIES = [
  'circuit { region quad_tree(width = 4) inputs Normal(diag) sum(units = 5) }',
  'circuit { region random_tree(depth = 3, repeats = 3, seed = 2) inputs Normal(diag, units = 3) sum(units = 4) product kronecker }',
  'circuit { region poon_domingos(width = 4, delta = 2) inputs Normal(diag) sum(units = 3) product cp }',
];

afterEach(() => useFolding(true));

describe('folding', () => {
  it('groups same-shaped sums of a depth into one fold', () => {
    const s = randomCircuit(BODIES[0]!, 16, 1);
    const plan = foldPlan(s.graph);
    expect(plan.sumFolds).toBeLessThan(plan.sumNodes);
    const seen = plan.levels.flatMap((l) => [...l.singles, ...l.sums.flatMap((f) => f.nodes)]);
    expect(new Set(seen).size).toBe(s.graph.nodes.length);
  });

  it.each(BODIES)('%s: folded equals unfolded (values, flows, counts)', (body) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 40 }), (seed, n) => {
        const s = randomCircuit(body, 16, seed);
        const rng = new Rng(seed + 1);
        const x = Float64Array.from({ length: n * 16 }, () => (rng.uniform() < 0.1 ? NaN : rng.normal() * 2));
        const w = Float64Array.from({ length: n }, () => rng.uniformOpen());
        const run = (fold: boolean) => {
          useFolding(fold);
          const vals = forward(s, x, n);
          const counts: EdgeCounts = new Map();
          const flows = backward(s, vals, n, w, counts);
          return { vals, flows, counts };
        };
        const a = run(false);
        const b = run(true);
        for (const node of s.graph.nodes) {
          const va = a.vals.get(node.id)!;
          const vb = b.vals.get(node.id)!;
          for (let i = 0; i < va.length; i++) expect(Math.abs(va[i]! - vb[i]!)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(va[i]!)));
          const fa = a.flows.get(node.id)!;
          const fb = b.flows.get(node.id)!;
          for (let i = 0; i < fa.length; i++) expect(Math.abs(fa[i]! - fb[i]!)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(fa[i]!)));
        }
        for (const [k, ca] of a.counts) {
          const cb = b.counts.get(k)!;
          for (let i = 0; i < ca.length; i++) expect(Math.abs(ca[i]! - cb[i]!)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(ca[i]!)));
        }
      }),
      { numRuns: 8 },
    );
  });
});
