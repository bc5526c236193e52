// The discrete input layers' level counts taken inside the threaded backward (runtime/leaf-counts.ts):
// slots accumulated over row slices and added in slot order equal discrete-fast.ts's levelCounts
// over all rows (counts 1e-12 relative, row counts exactly, a value outside the levels drops the
// layer); the backward on 2 and 3 threads fills them for every Bernoulli / Categorical layer and
// none on 1; EM epochs with them (unit and non-unit row weights) equal the reference
// (useFusedKernels(false), one thread) to 1e-10 in the parameters and 1e-12 in the
// log-likelihood, on the digits circuit and random discrete circuits. The threaded parts run
// against dist/ (the worker threads import the built runtime): npm run build first.
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../stdlib/random.js';
import { levelCounts } from '../../stdlib/distributions/discrete-fast.js';
import { accumulateLeafCounts, mergeLeafCounts, type LeafCountPlan, type LeafCounts } from '../../runtime/leaf-counts.js';
import { circuitArb } from '../helpers/random-circuits.js';
import { builtEvaluate, digitsGraph, loadBuilt, randomize, rowsFor, type Em, type Ev, type State } from '../helpers/threaded-circuits.js';

const built = builtEvaluate;
const load = loadBuilt;

describe('leaf counts over row slices (leaf-counts.ts)', () => {
  it('slots added in order equal levelCounts over all rows; a value outside the levels drops the layer', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.integer(), (n, U, dims, T, weighted, seed) => {
        const rng = new Rng(seed);
        const levels = Array.from({ length: dims }, () => 2 + Math.floor(rng.uniform() * 4));
        // Layer columns are variables 1.. of 1 + dims (column 0 is another variable's).
        const v = dims + 1;
        const scope = levels.map((_, j) => j + 1);
        const x = Float64Array.from({ length: n * v }, (_, k) => (rng.uniform() < 0.1 ? NaN : Math.floor(rng.uniform() * (levels[(k % v) - 1] ?? 9))));
        const f = Float64Array.from({ length: n * U }, () => rng.uniform());
        const rw = weighted ? Float64Array.from({ length: n }, () => rng.uniform() * 3) : undefined;
        let len = 0;
        for (const L of levels) len += L * U + L + 2;
        const plan: LeafCountPlan = { layers: [{ id: 'a', scope, U, levels, off: 0 }], len };
        const slots = new Float64Array(len * T).fill(7); // accumulate overwrites its slot
        for (let t = 0; t < T; t++) {
          const lo = Math.floor((n * t) / T);
          const hi = Math.floor((n * (t + 1)) / T);
          accumulateLeafCounts(plan, x.subarray(lo * v, hi * v), v, hi - lo, new Map([['a', f.subarray(lo * U, hi * U)]]), rw?.subarray(lo, hi), slots.subarray(t * len, (t + 1) * len));
        }
        const out: LeafCounts = new Map();
        mergeLeafCounts(plan, slots, T, out);
        const resp = rw ? f.map((a, k) => a * rw[Math.floor(k / U)]!) : f;
        const xs = Float64Array.from({ length: n * dims }, (_, k) => x[Math.floor(k / dims) * v + scope[k % dims]!]!);
        for (let j = 0; j < dims; j++) {
          const want = levelCounts(xs, n, dims, j, resp, U);
          const got = out.get('a')![j]!;
          expect(got.L).toBe(want.L);
          expect(got.other).toBe(false);
          expect([...got.rows.subarray(0, want.L)]).toEqual([...want.rows.subarray(0, want.L)]);
          for (let k = 0; k < want.L * U; k++) expect(Math.abs(got.counts[k]! - want.counts[k]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want.counts[k]!)));
        }
        // A value that is not a level of its column: the layer is left to the M-step's own pass.
        const bad = x.slice();
        bad[(n - 1) * v + 1] = levels[0]!;
        for (let t = 0; t < T; t++) {
          const lo = Math.floor((n * t) / T);
          const hi = Math.floor((n * (t + 1)) / T);
          accumulateLeafCounts(plan, bad.subarray(lo * v, hi * v), v, hi - lo, new Map([['a', f.subarray(lo * U, hi * U)]]), rw?.subarray(lo, hi), slots.subarray(t * len, (t + 1) * len));
        }
        const none: LeafCounts = new Map();
        mergeLeafCounts(plan, slots, T, none);
        expect(none.has('a')).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});

describe.skipIf(!existsSync(built))('leaf counts in the threaded backward and EM (built dist/)', () => {
  afterAll(async () => {
    const { ev } = await load();
    ev.setEvaluateThreads(undefined, 1 << 21);
    ev.useFusedKernels(true);
  });

  it('the backward on 2 and 3 threads counts every Bernoulli layer (as levelCounts of flow x weight); on 1 none', async () => {
    const { ev, st } = await load();
    const g = digitsGraph(5);
    const s = new st.ModelState(g);
    randomize(s, 3);
    const n = 517;
    const x = rowsFor(g, n, 4);
    const w = Float64Array.from({ length: n }, (_, i) => 0.5 + (i % 4));
    const inputs = s.nodes.filter((nd) => nd.kind === 'input');
    for (const T of [1, 2, 3]) {
      ev.setEvaluateThreads(T, 0);
      const vals = ev.forward(s, x, n, undefined, true);
      const out: LeafCounts = new Map();
      const flows = ev.backward(s, vals, n, w, new Map(), undefined, { x, out });
      expect(ev.lastEvaluateThreads()).toBe(T);
      expect(out.size).toBe(T === 1 ? 0 : inputs.length);
      for (const nd of T === 1 ? [] : inputs) {
        const f = flows.get(nd.id)!;
        const resp = f.map((a, k) => a * w[Math.floor(k / nd.units)]!);
        const xs = Float64Array.from({ length: n * nd.scope.length }, (_, k) => x[Math.floor(k / nd.scope.length) * 64 + nd.scope[k % nd.scope.length]!]!);
        for (let j = 0; j < nd.scope.length; j++) {
          const want = levelCounts(xs, n, nd.scope.length, j, resp, nd.units);
          const got = out.get(nd.id)![j]!;
          expect(got.L).toBe(want.L);
          expect([...got.rows.subarray(0, want.L)]).toEqual([...want.rows.subarray(0, want.L)]);
          for (let k = 0; k < want.L * nd.units; k++) expect(Math.abs(got.counts[k]! - want.counts[k]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, want.counts[k]!));
        }
      }
    }
  });

  const settings = { method: 'em', maxIter: 2, tol: 0, restarts: 1, init: 'random', regCovar: 1e-6, seed: 1, smoothing: 0.01, warm: true } as const;
  function fitsAgree(ev: Ev, em: Em, s: State, x: Float64Array, n: number, w: Float64Array, threads: number[], checkThreads = true): void {
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
    for (const T of threads) {
      const got = fit(T, true);
      // (Circuits without a dense sum node run on one thread.)
      if (checkThreads) expect(ev.lastEvaluateThreads()).toBe(T);
      for (let it = 0; it < want.result.trace.length; it++) expect(Math.abs(got.result.trace[it]! - want.result.trace[it]!)).toBeLessThanOrEqual(1e-12 * Math.abs(want.result.trace[it]!));
      for (const [k, v] of want.state.values) {
        const u = got.state.values.get(k)!;
        let worst = 0;
        for (let i = 0; i < v.length; i++) worst = Math.max(worst, Math.abs(u[i]! - v[i]!));
        expect(worst, `${k} on ${T} threads`).toBeLessThan(1e-10);
      }
    }
  }

  it('EM epochs on the digits circuit with the threads\' counts equal the reference (1, 2, 3 threads; unit and other row weights)', async () => {
    const { ev, st, em } = await load();
    const g = digitsGraph(8);
    const s = new st.ModelState(g);
    randomize(s, 7);
    const n = 1203;
    const x = rowsFor(g, n, 11);
    fitsAgree(ev, em, s, x, n, new Float64Array(n).fill(1), [1, 2, 3]);
    fitsAgree(ev, em, s, x, n, Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : 0.5 + (i % 3))), [2, 3]);
  });

  it('EM epochs on random discrete circuits equal the reference (1 to 3 threads)', async () => {
    const { ev, st, em } = await load();
    fc.assert(
      fc.property(circuitArb({ kind: 'discrete', maxVars: 7 }), fc.integer({ min: 7, max: 300 }), fc.integer({ min: 1, max: 3 }), (g, n, T) => {
        const s = new st.ModelState(g);
        randomize(s, n); // no zero probabilities: every row keeps a positive density
        const x = rowsFor(g, n, n);
        const w = Float64Array.from({ length: n }, (_, i) => 0.25 + ((i * 7) % 5));
        fitsAgree(ev, em, s, x, n, w, [T], false);
      }),
      { numRuns: 20 },
    );
  });
});
