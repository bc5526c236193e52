// Forward and backward split by rows over worker threads (runtime/evaluate-threads.ts) against
// the same passes on one thread: values and flows bit for bit, edge counts to 1e-12 relative
// (the order of the row sums differs), EM parameters after two epochs to 1e-10, on the
// digits circuit of the bench and on random circuits (DAGs with mixing nodes, Kronecker
// products, missing cells, row weights). The workers import the built runtime, so this runs
// against dist/ (npm run build first); the TypeScript sources always run on one thread.
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { lowerModel } from '../../compiler/lower.js';
import type { IRGraph } from '../../ir/types.js';
import { Rng } from '../../stdlib/random.js';
import { circuitArb } from '../helpers/random-circuits.js';
import { compileOk } from '../helpers/programs.js';

const built = new URL('../../dist/runtime/evaluate.js', import.meta.url);
type Ev = typeof import('../../runtime/evaluate.js');
type St = typeof import('../../runtime/state.js');
type Em = typeof import('../../runtime/learners/em.js');
const load = async (): Promise<{ ev: Ev; st: St; em: Em }> => ({
  ev: (await import(built.href)) as Ev,
  st: (await import(new URL('../../dist/runtime/state.js', import.meta.url).href)) as St,
  em: (await import(new URL('../../dist/runtime/learners/em.js', import.meta.url).href)) as Em,
});

function digitsGraph(): IRGraph {
  const names = Array.from({ length: 64 }, (_, i) => `p${i}`);
  const src = 'model Digits = circuit { region quad_tree(width = 8, arity = 4) inputs Bernoulli sum(units = 8) product hadamard }';
  const { graph } = lowerModel(compileOk(src), 'Digits', names.map((name) => ({ name, type: { kind: 'int' } })), {});
  return graph!;
}

/** Random parameters (simplex rows, Bernoulli p, Normal means and scales). */
function randomize(st: InstanceType<St['ModelState']>, seed: number): void {
  const rng = new Rng(seed);
  for (const [name, v] of st.values) {
    const p = st.param(name);
    if (p.param.kind === 'simplex') {
      const last = p.shape[p.shape.length - 1]!;
      for (let r = 0; r < v.length / last; r++) {
        let t = 0;
        for (let j = 0; j < last; j++) t += v[r * last + j] = 0.1 + rng.uniformOpen();
        for (let j = 0; j < last; j++) v[r * last + j] /= t;
      }
    } else if (p.param.kind === 'unit') for (let i = 0; i < v.length; i++) v[i] = 0.1 + 0.8 * rng.uniformOpen();
  }
}

function rowsFor(g: IRGraph, n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const V = g.vars.length;
  return Float64Array.from({ length: n * V }, (_, k) => {
    if (rng.uniform() < 0.05) return NaN;
    const t = g.vars[k % V]!.type;
    return t.kind === 'categorical' ? Math.floor(rng.uniform() * t.levels.length) : t.kind === 'real' ? rng.normal() : rng.uniform() < 0.5 ? 1 : 0;
  });
}

function passes(ev: Ev, st: InstanceType<St['ModelState']>, x: Float64Array, n: number, w: Float64Array, threads: number) {
  ev.setEvaluateThreads(threads, 0);
  const vals = ev.forward(st, x, n);
  const fwdThreads = ev.lastEvaluateThreads();
  const counts = new Map<string, Float64Array>();
  const flows = ev.backward(st, vals, n, w, counts);
  return { vals, flows, counts, threads: [fwdThreads, ev.lastEvaluateThreads()] };
}

/** Entries equal to 1e-12 relative (the same value, or both -inf / NaN). */
function close(got: Float64Array, want: Float64Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const a = got[i]!;
    const b = want[i]!;
    if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) continue;
    expect(Math.abs(a - b), `${what}[${i}]`).toBeLessThanOrEqual(1e-12 * Math.abs(b));
  }
}

function same(a: ReturnType<typeof passes>, b: ReturnType<typeof passes>): void {
  // The sum layers give each row the same bits on any split; the mixing kernel's row blocks may
  // round differently at the last bit.
  for (const [id, v] of a.vals) close(b.vals.get(id)!, v, id);
  for (const [id, f] of a.flows) close(b.flows.get(id)!, f, id);
  expect([...b.counts.keys()].sort()).toEqual([...a.counts.keys()].sort());
  for (const [k, c] of a.counts) {
    const d = b.counts.get(k)!;
    const scale = Math.max(1e-300, ...c.map(Math.abs));
    for (let i = 0; i < c.length; i++) expect(Math.abs(d[i]! - c[i]!) / scale, k).toBeLessThan(1e-12);
  }
}

describe.skipIf(!existsSync(built))('threaded evaluation (built dist/)', () => {
  afterAll(async () => (await load()).ev.setEvaluateThreads(undefined, 1 << 21));

  it('the digits circuit: 2 threads equal 1 (values, flows, counts), and EM after two epochs', async () => {
    const { ev, st, em } = await load();
    const g = digitsGraph();
    const s = new st.ModelState(g);
    randomize(s, 3);
    const n = 1501;
    const x = rowsFor(g, n, 5);
    const w = Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : 0.5 + (i % 3)));
    const one = passes(ev, s, x, n, w, 1);
    expect(one.threads).toEqual([1, 1]);
    for (const T of [2]) {
      const many = passes(ev, s, x, n, w, T);
      expect(many.threads).toEqual([T, T]);
      same(one, many);
    }
    const settings = { method: 'em', maxIter: 2, tol: 0, restarts: 1, init: 'random', regCovar: 1e-6, seed: 1, smoothing: 0.01, warm: true } as const;
    const fit = (T: number) => {
      ev.setEvaluateThreads(T, 0);
      return em.fitEM(s.clone(), x, n, w, settings as never).state;
    };
    const a = fit(1);
    const b = fit(2);
    expect(ev.lastEvaluateThreads()).toBe(2);
    for (const [k, v] of a.values) {
      const u = b.values.get(k)!;
      for (let i = 0; i < v.length; i++) expect(Math.abs(u[i]! - v[i]!), k).toBeLessThan(1e-10);
    }
  });

  it('random circuits (DAGs, mixing, Kronecker, missing cells): threads equal one thread', async () => {
    const { ev, st } = await load();
    fc.assert(
      fc.property(fc.oneof(circuitArb({ kind: 'discrete', maxVars: 7 }), circuitArb({ kind: 'continuous', maxVars: 2 })), fc.integer({ min: 7, max: 300 }), fc.integer({ min: 2, max: 3 }), (g, n, T) => {
        const s = new st.ModelState(g);
        const x = rowsFor(g, n, n);
        const w = Float64Array.from({ length: n }, (_, i) => 0.25 + ((i * 7) % 5));
        const one = passes(ev, s, x, n, w, 1);
        const many = passes(ev, s, x, n, w, T);
        // Circuits with a dense sum are split; others (mixtures) stay on one thread.
        const want = g.nodes.some((nd) => nd.kind === 'sum') ? T : 1;
        expect(many.threads).toEqual([want, want]);
        same(one, many);
      }),
      { numRuns: 30 },
    );
  });
});
