// The EM forward that keeps the wasm sum layer's E and linear sums for the backward pass
// (runtime/sum-kept.ts; forward(..., keep = true), what em.ts runs) against the reference
// (useFusedKernels(false): the JS loops, exps recomputed): root values, flows and edge counts
// to 1e-12 relative, parameters after one EM epoch to 1e-10, on the digits circuit and random
// circuits, on 1, 2 and 3 threads; weights changed between the passes act as in the reference
// (what is kept depends on the values only); values rewritten by a forward that did not keep
// are not served from what was kept. Runs against dist/ (the
// worker threads import the built runtime): npm run build first.
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { circuitArb } from '../helpers/random-circuits.js';
import { builtEvaluate, digitsGraph, loadBuilt, randomize, rowsFor, type Ev, type State } from '../helpers/threaded-circuits.js';

const built = builtEvaluate;
const load = loadBuilt;

/** forward (keeping or not) + backward with counts; `fused` false is the reference. */
function passes(ev: Ev, s: State, x: Float64Array, n: number, w: Float64Array, threads: number, fused: boolean, keep: boolean) {
  ev.useFusedKernels(fused);
  ev.setEvaluateThreads(threads, 0);
  try {
    const vals = ev.forward(s, x, n, undefined, keep);
    const counts = new Map<string, Float64Array>();
    const flows = ev.backward(s, vals, n, w, counts);
    return { root: vals.get(s.graph.root)!, flows, counts };
  } finally {
    ev.useFusedKernels(true);
  }
}

/** Entries equal to `tol` relative (entries under 1e-3 of the largest: relative to that); one expect per array. */
function close(got: Float64Array, want: Float64Array, what: string, tol = 1e-12): void {
  expect(got.length, what).toBe(want.length);
  let scale = 1e-300;
  for (const b of want) if (Number.isFinite(b)) scale = Math.max(scale, Math.abs(b));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const a = got[i]!;
    const b = want[i]!;
    if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) continue;
    const e = Math.abs(a - b) / Math.max(Math.abs(b), 1e-3 * scale);
    if (!(e <= worst)) [worst, at] = [e, i];
  }
  expect(worst, `${what}[${at}]: ${got[at]} vs ${want[at]}`).toBeLessThanOrEqual(tol);
}

function agree(a: ReturnType<typeof passes>, b: ReturnType<typeof passes>): void {
  close(b.root, a.root, 'root');
  for (const [id, f] of a.flows) close(b.flows.get(id)!, f, `flow ${id}`);
  expect([...b.counts.keys()].sort()).toEqual([...a.counts.keys()].sort());
  for (const [k, c] of a.counts) close(b.counts.get(k)!, c, `counts ${k}`);
}

describe.skipIf(!existsSync(built))('what the EM forward keeps for the backward (built dist/)', () => {
  afterAll(async () => {
    const { ev } = await load();
    ev.setEvaluateThreads(undefined, 1 << 21);
    ev.useFusedKernels(true);
  });

  it('the digits circuit: kept equals the reference on 1, 2, 3 threads (passes and one EM epoch)', async () => {
    const { ev, st, em } = await load();
    const g = digitsGraph(8);
    const s = new st.ModelState(g);
    randomize(s, 7);
    const n = 1203;
    const x = rowsFor(g, n, 11);
    const w = Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : 0.5 + (i % 3)));
    const ref = passes(ev, s, x, n, w, 1, false, false);
    for (const T of [1, 2, 3]) agree(ref, passes(ev, s, x, n, w, T, true, true));
    const settings = { method: 'em', maxIter: 1, tol: 0, restarts: 1, init: 'random', regCovar: 1e-6, seed: 1, smoothing: 0.01, warm: true } as const;
    const fit = (T: number, fused: boolean) => {
      ev.useFusedKernels(fused);
      ev.setEvaluateThreads(T, 0);
      try {
        return em.fitEM(s.clone(), x, n, w, settings as never);
      } finally {
        ev.useFusedKernels(true);
      }
    };
    const want = fit(1, false);
    for (const T of [1, 2, 3]) {
      const got = fit(T, true);
      expect(ev.lastEvaluateThreads()).toBe(T);
      expect(Math.abs(got.result.trace[0]! - want.result.trace[0]!)).toBeLessThan(1e-12 * Math.abs(want.result.trace[0]!));
      for (const [k, v] of want.state.values) {
        const u = got.state.values.get(k)!;
        let worst = 0;
        for (let i = 0; i < v.length; i++) worst = Math.max(worst, Math.abs(u[i]! - v[i]!));
        expect(worst, k).toBeLessThan(1e-10);
      }
    }
  });

  it('random circuits: kept equals the reference (1 to 3 threads)', async () => {
    const { ev, st } = await load();
    fc.assert(
      fc.property(fc.oneof(circuitArb({ kind: 'discrete', maxVars: 7 }), circuitArb({ kind: 'continuous', maxVars: 2 })), fc.integer({ min: 7, max: 300 }), fc.integer({ min: 1, max: 3 }), (g, n, T) => {
        const s = new st.ModelState(g);
        const x = rowsFor(g, n, n);
        const w = Float64Array.from({ length: n }, (_, i) => 0.25 + ((i * 7) % 5));
        agree(passes(ev, s, x, n, w, 1, false, false), passes(ev, s, x, n, w, T, true, true));
      }),
      { numRuns: 30 },
    );
  });

  it('stale: new weights act as in the reference; values rewritten by a forward that did not keep are not served from what was kept', async () => {
    const { ev, st } = await load();
    const g = digitsGraph(6);
    const s = new st.ModelState(g);
    randomize(s, 1);
    const n = 300;
    const x = rowsFor(g, n, 2);
    const x2 = rowsFor(g, n, 3);
    const w = new Float64Array(n).fill(1);
    ev.setEvaluateThreads(1, 0);
    // Weights changed in place after the forward: the backward must use the new ones, like the reference.
    const vals = ev.forward(s, x, n, undefined, true);
    const s2 = s.clone();
    randomize(s2, 9);
    for (const [k, v] of s2.values) if (s.param(k).param.kind === 'simplex') s.values.get(k)!.set(v);
    const counts = new Map<string, Float64Array>();
    const flows = ev.backward(s, vals, n, w, counts);
    ev.useFusedKernels(false);
    const refCounts = new Map<string, Float64Array>();
    const refFlows = ev.backward(s, vals, n, w, refCounts);
    ev.useFusedKernels(true);
    for (const [id, f] of refFlows) close(flows.get(id)!, f, `flow ${id}`);
    for (const [k, c] of refCounts) close(counts.get(k)!, c, `counts ${k}`);
    // The same arrays rewritten (reuse) by a forward on other rows without keeping.
    const again = ev.forward(s, x2, n, vals, false);
    const c2 = new Map<string, Float64Array>();
    const f2 = ev.backward(s, again, n, w, c2);
    const want = passes(ev, s, x2, n, w, 1, false, false);
    for (const [id, f] of want.flows) close(f2.get(id)!, f, `flow ${id}`);
    for (const [k, c] of want.counts) close(c2.get(k)!, c, `counts ${k}`);
  });
});
