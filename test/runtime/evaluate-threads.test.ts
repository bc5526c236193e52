// Forward and backward split by rows over worker threads (runtime/evaluate-threads.ts) against
// the same passes on one thread: values and flows bit for bit, edge counts to 1e-12 relative
// (the order of the row sums differs), EM parameters after two epochs to 1e-10, on the
// digits circuit of the bench and on random circuits (DAGs with mixing nodes, Kronecker
// products, missing cells, row weights). The workers import the built runtime, so this runs
// against dist/ (npm run build first); the TypeScript sources always run on one thread.
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { circuitArb } from '../helpers/random-circuits.js';
import { builtEvaluate, digitsGraph, loadBuilt, randomize, rowsFor, type Ev, type St } from '../helpers/threaded-circuits.js';

const built = builtEvaluate;
const load = loadBuilt;

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
    const g = digitsGraph(8);
    const s = new st.ModelState(g);
    randomize(s, 3, 0.1);
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
