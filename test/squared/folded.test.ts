// The folded signed evaluation (runtime/signed-evaluate-folded.ts) against the node-by-node
// reference (signed-evaluate.ts), and the product circuit's backward with shared exps against
// signedMatVecBack: log p to 1e-12 relative and gradients to
// 1e-10 on random squared circuits (fast-check over region graphs, units, product kinds, leaf
// kinds, the three forms, signed weights), with and without the WebAssembly kernel, and on the
// ring example.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { useSharedExpBackward } from '../../circuits/squared/signed-log.js';
import { compile } from '../../compiler/compile.js';
import { lowerModel } from '../../compiler/lower.js';
import type { VarDecl } from '../../ir/types.js';
import { useFastSignedSum } from '../../runtime/kernels/signed-sum.js';
import { useFoldedSigned } from '../../runtime/signed-evaluate-folded.js';
import { squaredGradients, squaredLogDensity } from '../../runtime/squared/squared-model.js';
import { ModelState } from '../../runtime/state.js';
import { Rng } from '../../stdlib/random.js';

afterEach(() => {
  useSharedExpBackward(true);
  useFoldedSigned(true);
  useFastSignedSum(true);
});

type Kind = 'real' | 'bool' | 'cat';

function build(text: string, kinds: readonly Kind[], seed: number): ModelState {
  const vars = kinds.map((k, i) => ({ name: `x${i}`, type: k === 'real' ? { kind: 'real' } : k === 'bool' ? { kind: 'bool' } : { kind: 'categorical', levels: ['a', 'b', 'c'] } })) as VarDecl[];
  const { program, diagnostics } = compile(text, 'folded.pmix');
  if (!program) throw new Error(diagnostics.map((d) => d.message).join('; '));
  const { graph, diagnostics: d2 } = lowerModel(program, 'M', vars, {});
  if (!graph) throw new Error(d2.map((d) => d.message).join('; '));
  const s = new ModelState(graph);
  const rng = new Rng(seed);
  for (const [name, v] of s.values) {
    const kind = s.param(name).param.kind;
    const last = s.param(name).shape.at(-1)!;
    for (let i = 0; i < v.length; i++) {
      if (kind === 'signed' || kind === 'identity') v[i] = rng.normal();
      else if (kind === 'unit') v[i] = 0.05 + 0.9 * rng.uniformOpen();
      else if (kind === 'simplex') v[i] = (0.2 + rng.uniformOpen()) / last; // not normalized: the circuits do not need it
      else v[i] = 0.3 + rng.uniformOpen();
    }
    if (kind === 'simplex') {
      for (let r = 0; r < v.length / last; r++) {
        let t = 0;
        for (let k = 0; k < last; k++) t += v[r * last + k]!;
        for (let k = 0; k < last; k++) v[r * last + k]! /= t;
      }
    }
  }
  return s;
}

/** Random rows; with `missing`, that share of cells is NaN (the rows go through the product circuit). */
function rowsFor(kinds: readonly Kind[], n: number, seed: number, missing = 0): Float64Array {
  const rng = new Rng(seed);
  const x = new Float64Array(n * kinds.length);
  for (let i = 0; i < n; i++) kinds.forEach((k, j) => (x[i * kinds.length + j] = k === 'real' ? 1.5 * rng.normal() : k === 'bool' ? (rng.uniformOpen() < 0.5 ? 0 : 1) : Math.floor(3 * rng.uniformOpen())));
  for (let k = 0; k < x.length; k++) if (rng.uniformOpen() < missing) x[k] = NaN;
  return x;
}

function compare(s: ModelState, x: Float64Array, n: number, seed: number): void {
  const rng = new Rng(seed);
  const w = Float64Array.from({ length: n }, () => 0.1 + rng.uniformOpen());
  useFoldedSigned(false);
  useSharedExpBackward(false);
  const refLp = squaredLogDensity(s, x, n);
  const ref = squaredGradients(s, x, n, w);
  useSharedExpBackward(true);
  useFoldedSigned(true);
  const lp = squaredLogDensity(s, x, n);
  const got = squaredGradients(s, x, n, w);
  for (let i = 0; i < n; i++) {
    if (refLp[i] === -Infinity) expect(lp[i]).toBe(-Infinity);
    else expect(Math.abs(lp[i]! - refLp[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(refLp[i]!)));
  }
  expect(Math.abs(got.logLik - ref.logLik)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(ref.logLik)));
  let scale = 1;
  for (const g of ref.grads.values()) for (const v of g) scale = Math.max(scale, Math.abs(v));
  for (const [name, g] of ref.grads) {
    const h = got.grads.get(name)!;
    for (let k = 0; k < g.length; k++) {
      if (Math.abs(h[k]! - g[k]!) > 1e-10 * Math.max(1, Math.abs(g[k]!))) throw new Error(`gradient ${name}[${k}]: folded ${h[k]} vs reference ${g[k]} (largest ${scale})`);
    }
  }
}

const circuitArb = fc.record({
  vars: fc.integer({ min: 2, max: 7 }),
  kinds: fc.constantFrom<'real' | 'mixed' | 'discrete'>('real', 'mixed', 'discrete'),
  region: fc.constantFrom('random_tree(depth = 1)', 'random_tree(depth = 2)', 'random_tree(depth = 3, seed = 4)', 'linear'),
  units: fc.integer({ min: 1, max: 5 }),
  product: fc.constantFrom('hadamard', 'kronecker'),
  form: fc.constantFrom<'square' | 'sos' | 'times'>('square', 'sos', 'times'),
  n: fc.integer({ min: 1, max: 70 }),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

describe('folded signed evaluation vs the node-by-node reference', () => {
  // with missing cells the rows go through the product circuit: its backward with shared exps
  // (signedMatVecBackFast) against signedMatVecBack; Z's gradient takes that path in every case
  it('random squared circuits: log p 1e-12, gradients 1e-10 (fast-check)', () => {
    fc.assert(
      fc.property(circuitArb, fc.boolean(), fc.constantFrom(0, 0, 0.2), (c, wasm, missing) => {
        const kinds: Kind[] = Array.from({ length: c.vars }, (_, i) => (c.kinds === 'real' ? 'real' : c.kinds === 'discrete' ? (i % 2 ? 'bool' : 'cat') : (['real', 'bool', 'cat'] as const)[i % 3]!));
        const body = (k: number): string => `circuit { region ${c.region} sum real(units = ${k}) product ${c.product} }`;
        const text =
          c.form === 'square' ? `model M = square(${body(c.units)})`
          : c.form === 'sos' ? `model M = sos(${body(c.units)}, ${body(Math.max(1, c.units - 1))})`
          : `model P = circuit { region ${c.region} sum(units = 2) product ${c.product} }\nmodel M = P * square(${body(c.units)})`;
        const s = build(text, kinds, c.seed);
        useFastSignedSum(wasm);
        compare(s, rowsFor(kinds, c.n, c.seed + 1, missing), c.n, c.seed + 2);
      }),
      { numRuns: 40 },
    );
  });

  it('one model evaluated again with fewer and more rows (the plan reuses its arrays) agrees every time', () => {
    const kinds: Kind[] = ['real', 'real', 'real', 'real'];
    const s = build('model M = square(circuit { region random_tree(depth = 2) sum real(units = 3) })', kinds, 11);
    for (const [n, seed] of [[50, 1], [20, 2], [50, 3], [7, 4]] as const) compare(s, rowsFor(kinds, n, seed), n, seed);
  });

  it('a squared mixture with several children per sum (the mixing node) and far-out rows', () => {
    const text = 'model M = square(mixture(weights = [1.0, -0.6, 0.3]) { Normal(diag, mean = [0, 0], sd = [1, 1]), Normal(diag, mean = [0, 1], sd = [0.5, 0.2]), Normal(diag, mean = [2, 0], sd = [0.1, 0.3]) })';
    const s = build(text, ['real', 'real'], 3);
    // rows up to 40 sd from the narrow components: log-values hundreds of nats apart
    const x = Float64Array.of(0, 0, 0.1, -0.3, 4, 4, -6, 2, 2, 0, 12, -9);
    compare(s, x, 6, 9);
  });

  it('the ring example (examples/squared-ring/ring.pmix) on its data', () => {
    const src = readFileSync(new URL('../../examples/squared-ring/ring.pmix', import.meta.url), 'utf8');
    const models = [...src.matchAll(/^model (\w+)\s*=\s*square/gm)].map((m) => m[1]!);
    expect(models.length).toBeGreaterThan(0);
    const csv = readFileSync(new URL('../../examples/squared-ring/ring.csv', import.meta.url), 'utf8').trim().split('\n');
    const rows = csv.slice(1, 401).map((l) => l.split(',').map(Number));
    const x = Float64Array.from(rows.flat());
    const { program, diagnostics } = compile(src, 'ring.pmix');
    if (!program) throw new Error(diagnostics.map((d) => d.message).join('; '));
    const vars: VarDecl[] = csv[0]!.split(',').map((name) => ({ name, type: { kind: 'real' } }));
    for (const name of models) {
      const { graph } = lowerModel(program, name, vars, {});
      compare(new ModelState(graph!), x, rows.length, 5);
    }
  });
});
