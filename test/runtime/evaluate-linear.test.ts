// The scaled-linear inference forward (runtime/evaluate-linear.ts, `logLikelihood`) against the
// log-space forward (`forward(...).get(root)`, fused kernels on, and the JS reference loops with
// them off) and, for complete discrete rows, the brute-force evaluator of the test helpers:
// per-row log-likelihoods to 1e-12 relative (1e-12 absolute under |ll| = 1), with and without
// the tables of products and sums over discrete inputs, on random circuits
// of inputs, Hadamard products and dense sums (fast-check: shapes, units, arities, shared nodes,
// zero weights, indicator leaves, several children per sum, missing cells), continuous inputs
// (no tables), the digits circuit with extreme Bernoulli parameters (p = 1e-300, 1 - 1e-15: rows
// flagged and recomputed in log space), a circuit whose likelihood is far under 1e-308, and on
// 1, 2 and 3 threads (built dist/).
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { forward, lastLinearStats, linearEligible, logLikelihood, useFusedKernels, useLinearTables } from '../../runtime/evaluate.js';
import { ModelState } from '../../runtime/state.js';
import { lowerModel } from '../../compiler/lower.js';
import { Rng } from '../../stdlib/random.js';
import { circuitArb, referenceLogJoint } from '../helpers/random-circuits.js';
import { compileOk } from '../helpers/programs.js';
import { builtEvaluate, digitsGraph, loadBuilt, randomize, rowsFor } from '../helpers/threaded-circuits.js';

/** got equals want per entry: 1e-12 relative (absolute under 1), or the same infinity / NaN. */
function close(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const a = got[i]!;
    const b = want[i]!;
    if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) continue;
    const d = Math.abs(a - b) / Math.max(1, Math.abs(b));
    if (!(d <= worst)) [worst, at] = [d, i];
  }
  expect(worst, `${what}: worst at row ${at}: ${got[at]} vs ${want[at]}`).toBeLessThanOrEqual(1e-12);
}

/** The log-space forward's root values (fused kernels on, or the JS reference loops). */
function logSpace(s: ModelState, x: Float64Array, n: number, fused = true): Float64Array {
  useFusedKernels(fused);
  try {
    return forward(s, x, n).get(s.graph.root)!.slice();
  } finally {
    useFusedKernels(true);
  }
}

/** logLikelihood with the tables of products and sums off (every block computed: products multiplied, sums by the wasm kernel). */
function untabulated(s: ModelState, x: Float64Array, n: number): Float64Array {
  useLinearTables(false);
  try {
    return logLikelihood(s, x, n).slice();
  } finally {
    useLinearTables(true);
  }
}

/** A quad-tree circuit over width x width binary pixels with `units` per sum. */
function quadTree(width: number, units: number) {
  const names = Array.from({ length: width * width }, (_, i) => `p${i}`);
  const src = `model Q = circuit { region quad_tree(width = ${width}, arity = 4) inputs Bernoulli sum(units = ${units}) product hadamard }`;
  return lowerModel(compileOk(src), 'Q', names.map((name) => ({ name, type: { kind: 'int' } })), {}).graph!;
}

describe('scaled-linear inference forward', () => {
  it('random discrete circuits: equals the log-space forward, the reference loops and brute force', () => {
    fc.assert(
      fc.property(circuitArb({ kind: 'discrete', maxVars: 8, sumsOnly: true }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 1e6 }), (g, n, seed) => {
        const s = new ModelState(g);
        expect(linearEligible(s)).toBe(true);
        const x = rowsFor(g, n, seed);
        const got = logLikelihood(s, x, n);
        expect(lastLinearStats().rows).toBe(n);
        close(got, logSpace(s, x, n), 'vs forward');
        close(got, logSpace(s, x, n, false), 'vs reference loops');
        close(untabulated(s, x, n), got, 'without tables');
        const V = g.vars.length;
        const complete: number[] = [];
        for (let i = 0; i < n; i++) if (!x.subarray(i * V, (i + 1) * V).some(Number.isNaN)) complete.push(i);
        close(complete.map((i) => got[i]!), complete.map((i) => referenceLogJoint(g, x.subarray(i * V, (i + 1) * V))), 'vs brute force');
      }),
      { numRuns: 60 },
    );
  });

  it('random continuous circuits (inputs without tables: logDensity per row, one exp per entry)', () => {
    fc.assert(
      fc.property(circuitArb({ kind: 'continuous', maxVars: 2, sumsOnly: true }), fc.integer({ min: 1, max: 150 }), (g, n) => {
        const s = new ModelState(g);
        const x = rowsFor(g, n, n + 7);
        close(logLikelihood(s, x, n), logSpace(s, x, n), 'vs forward');
      }),
      { numRuns: 30 },
    );
  });

  it('declines circuits with mixing nodes or Kronecker products (the log-space forward answers)', () => {
    const g = quadTree(2, 3);
    const withMixing = { ...g, nodes: g.nodes.map((nd) => (nd.kind === 'product' ? { ...nd, mode: 'kronecker' as const, units: 9 } : nd)) };
    expect(linearEligible(new ModelState(g))).toBe(true);
    expect(linearEligible(new ModelState(withMixing))).toBe(false);
  });

  it('the digits circuit: equals the log-space forward, with missing cells', () => {
    const g = digitsGraph(16);
    const s = new ModelState(g);
    randomize(s, 11, 0.02);
    const n = 700;
    const x = rowsFor(g, n, 3);
    close(logLikelihood(s, x, n), logSpace(s, x, n), 'digits');
    expect(lastLinearStats().flagged).toBe(0);
    close(untabulated(s, x, n), logSpace(s, x, n), 'digits without tables');
  });

  it('extreme Bernoulli parameters (1e-300, 1 - 1e-15) and zero weights: flagged rows go through log space', () => {
    const g = digitsGraph(8);
    const s = new ModelState(g);
    randomize(s, 5, 0.02);
    const rng = new Rng(9);
    // The four inputs of one product at extremes: p = 1e-300 on the even units of the first and
    // the odd units of the second, so where both pixels are 1 every unit of the product is
    // under 1e-100 (those rows are flagged); the other two at random extremes.
    const prod = g.nodes.find((nd) => nd.kind === 'product' && nd.children.every((c) => s.node(c).kind === 'input'))!;
    const extreme = (prod as { children: readonly string[] }).children.map((c) => (s.node(c) as { params: Record<string, string> }).params['p']!);
    for (const [name, v] of s.values) {
      const e = extreme.indexOf(name);
      if (e >= 0) for (let i = 0; i < v.length; i++) v[i] = e < 2 ? (i % 2 === e ? 1e-300 : 1 - 1e-15) : rng.uniform() < 0.5 ? 1e-300 : 1 - 1e-15;
      else if (s.param(name).param.kind === 'unit') for (let i = 0; i < v.length; i++) if (rng.uniform() < 0.1) v[i] = rng.uniform() < 0.5 ? 1e-300 : 1 - 1e-15;
      // Some weight rows put all their mass on one input.
      if (s.param(name).param.kind === 'simplex' && rng.uniform() < 0.3) {
        const I = s.param(name).shape[1]!;
        v.fill(0, 0, I);
        v[rng.int(I)] = 1;
      }
    }
    const n = 500;
    const x = rowsFor(g, n, 21);
    const want = logSpace(s, x, n);
    const got = logLikelihood(s, x, n);
    close(got, want, 'extreme');
    close(untabulated(s, x, n), want, 'extreme without tables');
    expect(lastLinearStats().flagged).toBeGreaterThan(0);
    expect(lastLinearStats().flagged).toBeLessThan(n);
    expect(want.some((v) => v < -600)).toBe(true);
  });

  it('a deep circuit whose likelihood is far under 1e-308: kept by the row scales, no row flagged', () => {
    const g = quadTree(64, 2);
    const s = new ModelState(g);
    randomize(s, 2, 0.01);
    const n = 70;
    const x = rowsFor(g, n, 4);
    const got = logLikelihood(s, x, n);
    expect(lastLinearStats().flagged).toBe(0);
    expect(Math.max(...got)).toBeLessThan(-1000);
    close(got, logSpace(s, x, n), 'deep');
  });

  it('more rows than one chunk (8,192): every chunk builds its own tables', () => {
    const g = quadTree(4, 3);
    const s = new ModelState(g);
    randomize(s, 8);
    const n = 8192 + 300;
    const x = rowsFor(g, n, 6);
    // The second chunk's rows see only level 1 of pixel 0 (its table has other codes).
    for (let i = 8192; i < n; i++) x[i * 16] = 1;
    close(logLikelihood(s, x, n), logSpace(s, x, n), 'chunks');
  });

  it('rows of zero likelihood are -inf, like the log-space forward', () => {
    const g = quadTree(2, 2);
    const s = new ModelState(g);
    randomize(s, 1);
    for (const [name, v] of s.values) if (s.param(name).param.kind === 'unit') v.fill(1); // every pixel is 1 surely
    const x = Float64Array.of(1, 1, 1, 1, 1, 0, 1, 1, NaN, NaN, NaN, 0);
    const got = logLikelihood(s, x, 3);
    expect(got[1]).toBe(-Infinity);
    expect(got[2]).toBe(-Infinity);
    close(got, logSpace(s, x, 3), 'zero likelihood');
  });
});

describe.skipIf(!existsSync(builtEvaluate))('scaled-linear inference forward on threads (built dist/)', () => {
  afterAll(async () => (await loadBuilt()).ev.setEvaluateThreads(undefined, 1 << 21));

  it('1, 2 and 3 threads give the one-thread values (digits with missing cells, random circuits)', async () => {
    const { ev, st } = await loadBuilt();
    const g = digitsGraph(8);
    const s = new st.ModelState(g);
    randomize(s, 3, 0.1);
    const n = 1501;
    const x = rowsFor(g, n, 5);
    ev.setEvaluateThreads(1, 0);
    const one = ev.logLikelihood(s, x, n).slice();
    close(one, ev.forward(s, x, n).get(g.root)!, 'one thread vs forward');
    for (const T of [2, 3]) {
      ev.setEvaluateThreads(T, 0);
      const many = ev.logLikelihood(s, x, n);
      expect(ev.lastEvaluateThreads()).toBe(T);
      close(many, one, `${T} threads`);
      // A shared result lent back is written in place.
      expect(ev.logLikelihood(s, x, n, many)).toBe(many);
    }
    fc.assert(
      fc.property(circuitArb({ kind: 'discrete', maxVars: 7, sumsOnly: true }), fc.integer({ min: 7, max: 300 }), fc.integer({ min: 2, max: 3 }), (rg, m, T) => {
        const rs = new st.ModelState(rg);
        const rx = rowsFor(rg, m, m);
        ev.setEvaluateThreads(1, 0);
        const a = ev.logLikelihood(rs, rx, m).slice();
        ev.setEvaluateThreads(T, 0);
        close(ev.logLikelihood(rs, rx, m), a, 'threads');
        // Circuits with a dense sum are split; others stay on one thread.
        expect(ev.lastEvaluateThreads()).toBe(rg.nodes.some((nd) => nd.kind === 'sum') ? T : 1);
      }),
      { numRuns: 15 },
    );
  });
});
