// Circuits for the WebGPU circuit tests: the digits circuit (as bench/lib/circuit.mjs builds
// it, from the sources) and a circuit with Normal inputs and Kronecker products, both with
// seeded random parameters; and one CPU EM iteration (what runtime/learners/em.ts's emRun does).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compile } from '../../compiler/compile.js';
import { lowerModel } from '../../compiler/lower.js';
import { ModelState, gather } from '../../runtime/state.js';
import { backward, forward, type EdgeCounts } from '../../runtime/evaluate.js';
import { mStep } from '../../runtime/learners/em.js';
import { Rng } from '../../stdlib/random.js';
import type { IRVariable } from '../../ir/types.js';

const CSV = fileURLToPath(new URL('../../examples/data/digits-train.csv', import.meta.url));

function lowered(source: string, vars: IRVariable[], seed: number): ModelState {
  const { program, diagnostics } = compile(source, 'gpu-test.pmix');
  if (!program) throw new Error(diagnostics.map((d) => d.message).join('; '));
  const name = program.models.keys().next().value as string;
  const { graph, diagnostics: d2 } = lowerModel(program, name, vars, {});
  if (!graph) throw new Error(d2.map((d) => d.message).join('; '));
  const s = new ModelState(graph);
  const rng = new Rng(seed);
  for (const [nm, v] of s.values) {
    const prm = s.param(nm);
    const k = prm.param.kind;
    if (k === 'simplex') {
      const last = prm.shape[prm.shape.length - 1]!;
      for (let r = 0; r < v.length / last; r++) {
        let t = 0;
        for (let j = 0; j < last; j++) t += v[r * last + j] = 0.5 + rng.uniformOpen();
        for (let j = 0; j < last; j++) v[r * last + j]! /= t;
      }
    } else if (k === 'unit') for (let i = 0; i < v.length; i++) v[i] = 0.1 + 0.8 * rng.uniformOpen();
    else if (k === 'positive') for (let i = 0; i < v.length; i++) v[i] = 0.3 + 2 * rng.uniformOpen();
    else if (k === 'identity') for (let i = 0; i < v.length; i++) v[i] = -2 + 4 * rng.uniformOpen();
    else throw new Error(`unexpected parameter ${nm} (${k})`);
  }
  return new ModelState(s.toGraph());
}

export function digitsRows(rows: number): { x: Float64Array; n: number; names: string[] } {
  const lines = readFileSync(CSV, 'utf8').trim().split('\n');
  const names = lines[0]!.split(',');
  const body = lines.slice(1, 1 + rows).map((l) => l.split(',').map(Number));
  return { x: Float64Array.from(body.flat()), n: body.length, names };
}

export function digitsCircuit(names: string[], units = 32, seed = 3): ModelState {
  const vars = names.map((name) => ({ name, type: { kind: 'int' as const } }));
  return lowered(`model Digits = circuit { region quad_tree(width = 8, arity = 4) inputs Bernoulli sum(units = ${units}) product hadamard }`, vars, seed);
}

/** Six real variables, Normal inputs, Kronecker products; rows ~ N(0, 1.5^2) with some missing cells. */
export function normalCircuit(n: number, seed = 5, missing = 0.05, units = 4): { state: ModelState; x: Float64Array; n: number } {
  const names = ['a', 'b', 'c', 'd', 'e', 'f'];
  const vars = names.map((name) => ({ name, type: { kind: 'real' as const } }));
  const state = lowered(`model C(${names.join(', ')}) = circuit { region random_tree(depth = 2, seed = 3) inputs Normal(diag) sum(units = ${units}) product kronecker }`, vars, seed);
  const rng = new Rng(seed + 1);
  const x = Float64Array.from({ length: n * names.length }, () => (rng.uniform() < missing ? NaN : 1.5 * rng.normal()));
  return { state, x, n };
}

/** One CPU EM iteration in place; returns the mean log-likelihood before the M-step. */
export function cpuEmIteration(state: ModelState, x: Float64Array, n: number, rw: Float64Array, regCovar: number, smoothing: number): number {
  const v = state.graph.vars.length;
  const xs = new Map<string, Float64Array>();
  for (const node of state.nodes) if (node.kind === 'input') xs.set(node.id, gather(x, n, v, node.scope));
  const vals = forward(state, x, n, undefined, true); // keep, as em.ts does: the backward reuses exp(A - m) (same rounding as the CPU fit)
  const root = vals.get(state.graph.root)!;
  let ll = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    ll += rw[i]! * root[i]!;
    tot += rw[i]!;
  }
  const counts: EdgeCounts = new Map();
  const flows = backward(state, vals, n, rw, counts);
  mStep(state, flows, counts, rw, xs, n, regCovar, 1, new Map(), smoothing, vals);
  return ll / tot;
}
