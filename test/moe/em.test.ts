// EM never lowers its objective (fast-check over gates, noise kinds, expert counts and data),
// and the top-K sparse gate is the dense softmax restricted to the K largest logits and
// renormalized (the rule of the top-K sparse softmax gating paper, written out here).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emLearner, gather, softmaxLogGate, specOf } from '../../families/moe/index.js';
import type { LearnerRun } from '../../runtime/learners/driver.js';
import { Rng } from '../../stdlib/random.js';
import { ModelState } from '../../runtime/state.js';
import { Session } from '../../session/session.js';
import { compileOk } from '../helpers/programs.js';

/** The lowered (unfitted) state of a model whose variables its body names. */
function lowered(text: string): ModelState {
  const s = new Session(compileOk(text));
  s.lower('M', s.variables('M'));
  return new ModelState(s.lowered.get('M')!);
}

function step(run: LearnerRun, it: number): number {
  const g = run.iterate(it);
  for (;;) {
    const r = g.next();
    if (r.done) return r.value as number;
  }
}

describe('EM for mixtures of experts', () => {
  it('never lowers the objective (conditional log-likelihood minus the ridge; the joint one for Gaussian gates)', () => {
    fc.assert(
      fc.property(
        fc.record({
          k: fc.integer({ min: 1, max: 4 }),
          gate: fc.constantFrom('softmax(ridge = 0.01)', 'softmax(ridge = 0)', 'gaussian', 'softmax(top = 1)', 'softmax(top = 2)', 'tree(branches = 2, ridge = 0.01)'),
          noise: fc.constantFrom('diag', 'full'),
          outputs: fc.integer({ min: 1, max: 2 }),
          n: fc.integer({ min: 20, max: 120 }),
          seed: fc.integer({ min: 0, max: 1e6 }),
        }),
        ({ k, gate, noise, outputs, n, seed }) => {
          if (gate.includes('top = 2') && k < 2) return;
          if (gate.startsWith('tree') && k % 2 !== 0) return;
          const ys = outputs === 1 ? 'y' : 'y, z';
          const state = lowered(`model M = experts(x, u -> ${ys}) { k = ${k}; gate = ${gate}; expert = linear(noise = ${noise}) }`);
          const rng = new Rng(seed);
          const V = 2 + outputs;
          const rows = new Float64Array(n * V);
          for (let i = 0; i < n; i++) {
            const x = 3 * rng.normal();
            const u = rng.uniform();
            rows[i * V] = x;
            rows[i * V + 1] = u;
            rows[i * V + 2] = x > 0 ? 2 * x + rng.normal() : Math.sin(3 * x) + 0.2 * rng.normal();
            if (outputs === 2) rows[i * V + 3] = noise === 'diag' && i % 5 === 0 ? NaN : u * x + 0.5 * rng.normal();
          }
          const spec = specOf(state.graph);
          const { data } = gather(spec, rows, n, V, undefined, noise === 'full');
          const floor = new Float64Array(outputs).fill(1e-6);
          const run = emLearner(state, data, { restarts: 1, maxIter: 30, seed, outputFloor: floor, inputFloor: new Float64Array(2).fill(1e-6) }, 'M').start(0);
          let prev = -Infinity;
          for (let it = 1; it <= 30; it++) {
            const obj = step(run, it);
            expect(obj).toBeGreaterThanOrEqual(prev - 1e-9 * Math.max(1, Math.abs(prev)));
            prev = obj;
          }
        },
      ),
      { numRuns: 40, seed: 17 },
    );
  });

  it('top-K gating is the dense softmax restricted to the K largest logits, renormalized', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1e6 }), (K, top0, seed) => {
        const top = Math.min(top0, K);
        const rng = new Rng(seed);
        const D = 2;
        const W = Float64Array.from({ length: K * (D + 1) }, () => 2 * rng.normal());
        const n = 25;
        const X = Float64Array.from({ length: n * D }, () => 3 * rng.normal());
        const lg = softmaxLogGate({ K, D, top, ridge: 0, W }, X, n);
        for (let i = 0; i < n; i++) {
          const eta = Array.from({ length: K }, (_, k) => W[k * 3]! * X[i * 2]! + W[k * 3 + 1]! * X[i * 2 + 1]! + W[k * 3 + 2]!);
          const dense = eta.map((e) => Math.exp(e));
          // the K largest logits (by sorting their values), the rest get 0
          const kept = [...eta].sort((a, b) => b - a).slice(0, top);
          const threshold = kept[kept.length - 1]!;
          const restricted = dense.map((p, k) => (eta[k]! >= threshold ? p : 0));
          const z = restricted.reduce((a, b) => a + b, 0);
          for (let k = 0; k < K; k++) expect(Math.exp(lg[i * K + k]!)).toBeCloseTo(restricted[k]! / z, 12);
        }
      }),
      { numRuns: 60, seed: 3 },
    );
  });
});
