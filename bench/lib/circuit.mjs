// The digits circuit shared by the circuit-* cases: the .pmix model of issue 4 (quad-tree
// region graph over the 8x8 binarized digits, arity 4, 32 units, Bernoulli inputs, Hadamard
// products), compiled and lowered through the compiler (compile + lowerModel, what
// Session.lower does), with seeded random parameters (every one marked 'given'), over the 1437
// training rows of examples/data/digits-train.csv replicated `reps` times. The peer
// (bench/peer/circuit.py) reads graph.json (the IR with those values) and x.f64.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compile } from '../../dist/compiler/compile.js';
import { lowerModel } from '../../dist/compiler/lower.js';
import { ModelState } from '../../dist/runtime/state.js';
import { Rng } from '../../dist/stdlib/random.js';
import { writeArray, writeJson } from './files.mjs';

const CSV = fileURLToPath(new URL('../../examples/data/digits-train.csv', import.meta.url));
export const SMOOTHING = 0.01;
export const REG_COVAR = 1e-6;

export const circuitParams = (quick, extra = {}) => ({ reps: quick ? 2 : 14, units: 32, arity: 4, repeats: quick ? 3 : 5, seed: 3, smoothing: SMOOTHING, reg_covar: REG_COVAR, ...extra });

export const modelSource = (p) => `model Digits = circuit { region quad_tree(width = 8, arity = ${p.arity}) inputs Bernoulli sum(units = ${p.units}) product hadamard }`;

/** The 1437 x 64 training rows, replicated reps times: { x, n, v, names }. */
export function digitsData(reps) {
  const lines = readFileSync(CSV, 'utf8').trim().split('\n');
  const names = lines[0].split(',');
  const v = names.length;
  const base = lines.slice(1).map((l) => l.split(',').map(Number));
  const n = base.length * reps;
  const x = new Float64Array(n * v);
  for (let r = 0; r < reps; r++) base.forEach((row, i) => x.set(row, (r * base.length + i) * v));
  return { x, n, v, names };
}

/** The lowered digits circuit with seeded parameters: simplex rows ~ normalized U(0,1), Bernoulli p ~ U(0.1, 0.9). */
export function digitsState(p, names) {
  const vars = names.map((name) => ({ name, type: { kind: 'int' } }));
  const { program, diagnostics } = compile(modelSource(p), 'bench-digits.pmix');
  if (!program) throw new Error(`compile: ${diagnostics.map((d) => d.message).join('; ')}`);
  const { graph, diagnostics: d2 } = lowerModel(program, 'Digits', vars, {});
  if (!graph) throw new Error(`lower: ${d2.map((d) => d.message).join('; ')}`);
  const s = new ModelState(graph);
  const rng = new Rng(p.seed);
  for (const [name, v] of s.values) {
    const prm = s.param(name);
    if (prm.param.kind === 'simplex') {
      const last = prm.shape[prm.shape.length - 1];
      for (let r = 0; r < v.length / last; r++) {
        let t = 0;
        for (let j = 0; j < last; j++) t += v[r * last + j] = 0.5 + rng.uniformOpen();
        for (let j = 0; j < last; j++) v[r * last + j] /= t;
      }
    } else if (prm.param.kind === 'unit') for (let i = 0; i < v.length; i++) v[i] = 0.1 + 0.8 * rng.uniformOpen();
    else throw new Error(`unexpected parameter ${name} (${prm.param.kind})`);
  }
  return new ModelState(s.toGraph()); // every parameter 'given': fitting keeps them as the start
}

/** Data, state, and the peer's files (graph.json, x.f64, meta.json). */
export function setupCircuit(dir, p) {
  const { x, n, v, names } = digitsData(p.reps);
  const state = digitsState(p, names);
  writeArray(dir, 'x.f64', x);
  writeJson(dir, 'graph.json', state.toGraph());
  writeJson(dir, 'meta.json', { n, v });
  return { x, n, v, state };
}

export const emSettings = (p, maxIter) => ({ method: 'em', maxIter, tol: 0, restarts: 1, init: 'random', regCovar: p.reg_covar, seed: 1, smoothing: p.smoothing });

/** Parameter values of a state as { name: number[] } (what the peer compares its own against). */
export const valuesOf = (state) => Object.fromEntries([...state.values].map(([k, v]) => [k, Array.from(v)]));
