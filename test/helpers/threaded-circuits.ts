// Shared setup of the tests that run circuit passes on worker threads (evaluate-threads,
// sum-kept, leaf-counts): the worker threads import the built runtime, so these tests load
// dist/ (npm run build first) and use its evaluate, state and em modules together.
import { lowerModel } from '../../compiler/lower.js';
import type { IRGraph } from '../../ir/types.js';
import { Rng } from '../../stdlib/random.js';
import { compileOk } from './programs.js';

export type Ev = typeof import('../../runtime/evaluate.js');
export type St = typeof import('../../runtime/state.js');
export type Em = typeof import('../../runtime/learners/em.js');
export type State = InstanceType<St['ModelState']>;

/** The built evaluate.js (tests skip without it). */
export const builtEvaluate = new URL('../../dist/runtime/evaluate.js', import.meta.url);

/** The built runtime modules the threaded passes use. */
export const loadBuilt = async (): Promise<{ ev: Ev; st: St; em: Em }> => ({
  ev: (await import(builtEvaluate.href)) as Ev,
  st: (await import(new URL('../../dist/runtime/state.js', import.meta.url).href)) as St,
  em: (await import(new URL('../../dist/runtime/learners/em.js', import.meta.url).href)) as Em,
});

/** The bench's digits circuit: 8 x 8 binary pixels, quad tree of arity 4, `units` per sum. */
export function digitsGraph(units: number): IRGraph {
  const names = Array.from({ length: 64 }, (_, i) => `p${i}`);
  const src = `model Digits = circuit { region quad_tree(width = 8, arity = 4) inputs Bernoulli sum(units = ${units}) product hadamard }`;
  const { graph } = lowerModel(compileOk(src), 'Digits', names.map((name) => ({ name, type: { kind: 'int' } })), {});
  return graph!;
}

/** Random parameters: simplex rows with entries >= floor before normalizing, Bernoulli p in [floor, 1 - floor]. */
export function randomize(st: State, seed: number, floor = 0.05): void {
  const rng = new Rng(seed);
  for (const [name, v] of st.values) {
    const p = st.param(name);
    if (p.param.kind === 'simplex') {
      const last = p.shape[p.shape.length - 1]!;
      for (let r = 0; r < v.length / last; r++) {
        let t = 0;
        for (let j = 0; j < last; j++) t += v[r * last + j] = floor + rng.uniformOpen();
        for (let j = 0; j < last; j++) v[r * last + j] /= t;
      }
    } else if (p.param.kind === 'unit') for (let i = 0; i < v.length; i++) v[i] = floor + (1 - 2 * floor) * rng.uniformOpen();
  }
}

/** n seeded rows for g's variables (5% missing cells): levels, normals for reals, else 0/1. */
export function rowsFor(g: IRGraph, n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const V = g.vars.length;
  return Float64Array.from({ length: n * V }, (_, k) => {
    if (rng.uniform() < 0.05) return NaN;
    const t = g.vars[k % V]!.type;
    return t.kind === 'categorical' ? Math.floor(rng.uniform() * t.levels.length) : t.kind === 'real' ? rng.normal() : rng.uniform() < 0.5 ? 1 : 0;
  });
}
