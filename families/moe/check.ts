// Artifact checks of a mixture-of-experts graph (after the shared structural ones: the
// parameters named exist), and what `pmix check` says about the model.
import type { IRGraph } from '../../ir/types.js';
import type { FamilyReport, GraphFail } from '../../runtime/family.js';
import { GP_ARTIFACT_MAX_POINTS } from '../../runtime/gp/cost.js';
import { chol } from './linalg.js';
import { fitPhrase } from './describe-fit.js';
import { checkLeafOptions, leafWords } from './check-leaf.js';
import { MAX_DEPTH, treeShapes, treeWords } from './check-tree.js';
import { MAX_EXPERTS, MAX_INDUCING } from './lower.js';
import { GP_INDUCING, SPARSE_MAX_POINTS } from './expert-gp-sparse.js';
import { expertPrefix, GP_SCALE, GP_TRAIN_X, GP_TRAIN_Y } from './expert-gp.js';
import { EXPERTS, GATES, moeNode, NOISES, P, levelsOf } from './spec.js';

/** GP experts: a GP node template, every expert's hyperparameters, and (fitted) the training points and noise multipliers. */
function checkGpExperts(graph: IRGraph, K: number, D: number, Pn: number, fail: GraphFail): void {
  const at = 'ir.nodes[0].options';
  const o = moeNode(graph).options;
  if (Pn !== 1) fail(`${at}.outputs`, 'GP experts model one output');
  let node: { kind?: unknown; kernel?: unknown } | undefined;
  try {
    node = typeof o.gp === 'string' ? (JSON.parse(o.gp) as typeof node) : undefined;
  } catch {
    node = undefined;
  }
  if (!node || node.kind !== 'gp' || typeof node.kernel !== 'object') return fail(`${at}.gp`, 'expected the GP experts\' node (JSON of a gp node)');
  if (!(typeof o.gp_steps === 'number' && Number.isInteger(o.gp_steps) && o.gp_steps >= 1)) fail(`${at}.gp_steps`, 'expected a whole number >= 1');
  const names = Object.keys(graph.params).filter((n) => n.startsWith(expertPrefix(0))).map((n) => n.slice(expertPrefix(0).length));
  if (!names.length) fail('ir.params', 'GP experts without hyperparameters (e0.*)');
  for (let k = 1; k < K; k++) {
    for (const n of names) {
      const p = graph.params[expertPrefix(k) + n];
      const p0 = graph.params[expertPrefix(0) + n]!;
      if (!p) fail(`ir.params['${expertPrefix(k) + n}']`, `missing (every expert has the hyperparameters of expert 0)`);
      else if (p.value.length !== p0.value.length) fail(`ir.params['${p.name}'].value`, `expected ${p0.value.length} values like expert 0's`);
    }
  }
  for (const p of Object.values(graph.params)) {
    const bad = p.value.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) fail(`ir.params['${p.name}'].value[${bad}]`, `${p.value[bad]} is not a finite number`);
  }
  const x = graph.params[GP_TRAIN_X];
  const y = graph.params[GP_TRAIN_Y];
  const s = graph.params[GP_SCALE];
  if (!x && !y && !s) return;
  if (!x || !y || !s) return fail('ir.params', `a fitted mixture of GP experts stores ${GP_TRAIN_X}, ${GP_TRAIN_Y} and ${GP_SCALE}`);
  const n = y.value.length;
  const sparse = typeof o.gp_inducing === 'number';
  if (o.gp_inducing !== undefined && !(sparse && Number.isInteger(o.gp_inducing) && (o.gp_inducing as number) >= 1 && (o.gp_inducing as number) <= MAX_INDUCING)) fail(`${at}.gp_inducing`, `expected a whole number from 1 to ${MAX_INDUCING}`);
  const cap = sparse ? SPARSE_MAX_POINTS : GP_ARTIFACT_MAX_POINTS;
  if (n > cap) fail(`ir.params['${GP_TRAIN_Y}'].value`, `${n} training points: a saved mixture of ${sparse ? 'sparse ' : ''}GP experts may carry at most ${cap}`);
  if (sparse) {
    const z = graph.params[GP_INDUCING];
    if (!z) fail(`ir.params['${GP_INDUCING}']`, 'missing: sparse GP experts store their inducing inputs');
    else if (z.value.length === 0 || z.value.length % D !== 0 || z.value.length / D > (o.gp_inducing as number) || z.shape[0] !== z.value.length / D || z.shape[1] !== D) fail(`ir.params['${GP_INDUCING}']`, `expected [m, ${D}] values with m from 1 to ${String(o.gp_inducing)}`);
    else if (z.value.some((v) => !Number.isFinite(v))) fail(`ir.params['${GP_INDUCING}'].value`, 'an inducing input is not a finite number');
  }
  if (x.value.length !== n * D) fail(`ir.params['${GP_TRAIN_X}'].value`, `expected ${n} x ${D} values`);
  if (s.value.length !== K * n) fail(`ir.params['${GP_SCALE}'].value`, `expected ${K} x ${n} values`);
  const i = s.value.findIndex((v) => !(v === 0 || v >= 1));
  if (i >= 0) fail(`ir.params['${GP_SCALE}'].value[${i}]`, 'a noise multiplier (1 / responsibility) must be >= 1, or 0 for a point left out of the expert');
}

export function checkMoeGraph(graph: IRGraph, fail: GraphFail): void {
  if (graph.nodes.length !== 1) fail('ir.nodes', 'a mixture-of-experts graph has exactly one node (the moe family node)');
  const node = moeNode(graph);
  const at = 'ir.nodes[0].options';
  const o = node.options;
  const V = graph.vars.length;
  const K = o.k;
  if (typeof K !== 'number' || !Number.isInteger(K) || K < 1 || K > MAX_EXPERTS) fail(`${at}.k`, `expected a whole number from 1 to ${MAX_EXPERTS}`);
  if (!(GATES as readonly unknown[]).includes(o.gate)) fail(`${at}.gate`, `expected one of ${GATES.join(', ')}`);
  if (!(EXPERTS as readonly unknown[]).includes(o.expert)) fail(`${at}.expert`, `expected one of ${EXPERTS.join(', ')}`);
  if (!(NOISES as readonly unknown[]).includes(o.noise)) fail(`${at}.noise`, `expected one of ${NOISES.join(', ')}`);
  const roles = (key: 'inputs' | 'outputs'): number[] => {
    const v = o[key];
    if (!Array.isArray(v) || v.length === 0 || v.some((i) => !Number.isInteger(i) || i < 0 || i >= V)) fail(`${at}.${key}`, `expected a non-empty list of variable indices below ${V}`);
    return v as number[];
  };
  const inputs = roles('inputs');
  const outputs = roles('outputs');
  if (new Set([...inputs, ...outputs]).size !== inputs.length + outputs.length) fail(`${at}.outputs`, 'inputs and outputs must be distinct variables');
  for (const v of [...inputs, ...outputs]) if (!['real', 'int'].includes(graph.vars[v]!.type.kind) && !(o.expert === 'bernoulli' && outputs.includes(v) && graph.vars[v]!.type.kind === 'bool') && !(o.expert === 'multinomial' && outputs.includes(v) && graph.vars[v]!.type.kind === 'categorical') && !(o.expert === 'leaf' && outputs.includes(v) && graph.vars[v]!.type.kind === 'bool')) fail(`ir.vars[${v}].type`, 'a mixture of experts takes real or int variables (a bool output for bernoulli experts)');
  if (o.gate === 'softmax' || o.gate === 'tree') {
    if (!(typeof o.ridge === 'number' && o.ridge >= 0)) fail(`${at}.ridge`, 'expected a number >= 0');
    if (o.gate === 'softmax' && !(typeof o.top === 'number' && Number.isInteger(o.top) && o.top >= 1 && o.top <= (K as number))) fail(`${at}.top`, `expected a whole number from 1 to k = ${String(K)}`);
  }
  const k = K as number;
  const D = inputs.length;
  const Pn = outputs.length;
  const B = o.branches as number;
  const depth = o.depth === undefined ? 2 : o.depth;
  if (o.gate === 'tree' && !(typeof depth === 'number' && Number.isInteger(depth) && depth >= 1 && depth <= MAX_DEPTH)) fail(`${at}.depth`, `expected a whole number from 1 to ${MAX_DEPTH}`);
  if (o.gate === 'tree' && !(typeof B === 'number' && Number.isInteger(B) && B >= 1 && k % B ** ((depth as number) - 1) === 0)) fail(`${at}.branches`, `expected a whole number whose power ${(depth as number) - 1} divides k = ${k}`);
  const shapes: Record<string, number[]> = o.gate === 'softmax' ? { [P.gateW]: [k, D + 1] } : o.gate === 'tree' ? treeShapes(k, B, depth as number, D) : { [P.gatePi]: [k], [P.gateMean]: [k, D], [P.gateCov]: [k, D, D] };
  if (o.expert === 'multinomial') {
    const L = levelsOf(graph, outputs[0]!);
    if (Pn !== 1 || L < 2) fail(`${at}.outputs`, 'multinomial experts model one categorical output with at least 2 levels');
    if (!(typeof o.expert_ridge === 'number' && o.expert_ridge >= 0)) fail(`${at}.expert_ridge`, 'expected a number >= 0');
    shapes[P.coef] = [k, L - 1, D + 1];
  } else if (o.expert === 'leaf') {
    if (Pn !== 1) fail(`${at}.outputs`, 'leaf experts model one output');
    shapes[P.coef] = [k, checkLeafOptions(o, fail), D + 1];
  } else if (o.expert === 'poisson' || o.expert === 'bernoulli') {
    if (Pn !== 1) fail(`${at}.outputs`, `${String(o.expert)} experts model one output`);
    shapes[P.coef] = [k, 1, D + 1];
  } else if (o.expert === 'linear') {
    shapes[P.coef] = [k, Pn, D + 1];
    shapes[P.noise] = o.noise === 'diag' ? [k, Pn] : [k, Pn, Pn];
  } else checkGpExperts(graph, k, D, Pn, fail);
  for (const [role, shape] of Object.entries(shapes)) {
    const name = node.params[role];
    const p = name === undefined ? undefined : graph.params[name];
    if (!p) return fail(`ir.nodes[0].params.${role}`, 'missing (expected a parameter)');
    const field = `ir.params['${p.name}']`;
    if (p.shape.length !== shape.length || p.shape.some((s, i) => s !== shape[i])) fail(`${field}.shape`, `expected [${shape.join(', ')}] for k = ${k}, ${D} input(s) and ${Pn} output(s), got [${p.shape.join(', ')}]`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (p.value.length !== size) fail(`${field}.value`, `expected ${size} values, got ${p.value.length}`);
    const bad = p.value.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) fail(`${field}.value[${bad}]`, `${p.value[bad]} is not a finite number`);
    if (role === P.gatePi && (p.value.some((v) => v < 0) || Math.abs(p.value.reduce((a, b) => a + b, 0) - 1) > 1e-6)) fail(`${field}.value`, 'the gate weights must be >= 0 and sum to 1');
    if (role === P.noise && o.noise === 'diag') {
      const i = p.value.findIndex((v) => !(v > 0));
      if (i >= 0) fail(`${field}.value[${i}]`, 'a noise variance must be > 0');
    }
    const m = role === P.gateCov ? D : role === P.noise && o.noise === 'full' ? Pn : 0;
    for (let c = 0; m && c < k; c++) if (!chol(p.value.slice(c * m * m, (c + 1) * m * m), m)) fail(`${field}.value`, `expert ${c}'s covariance is not positive definite`);
  }
}

export function describeMoe(graph: IRGraph, model: string, methods?: readonly string[]): FamilyReport {
  const o = moeNode(graph).options;
  const names = (key: 'inputs' | 'outputs'): string[] => (o[key] as number[]).map((v) => graph.vars[v]!.name);
  const gate = o.gate === 'tree' ? treeWords(o) : o.gate === 'softmax' ? `softmax gate (linear in the inputs, ridge ${String(o.ridge)}${o.top !== o.k ? `, top-${String(o.top)} sparse: ${String(o.top)} of ${String(o.k)} experts evaluated per point` : ''})` : 'Gaussian gate (each expert a full-covariance Gaussian over the inputs, p(k | x) by Bayes; EM maximizes the joint likelihood)';
  const json = { inputs: names('inputs'), outputs: names('outputs'), k: o.k, gate: o.gate, ...(o.gate === 'softmax' ? { ridge: o.ridge, top: o.top } : o.gate === 'tree' ? { ridge: o.ridge, branches: o.branches, ...(o.depth !== undefined ? { depth: o.depth } : {}) } : {}), expert: o.expert, ...(o.expert === 'gp' ? { gp_steps: o.gp_steps, ...(typeof o.gp_inducing === 'number' ? { inducing: o.gp_inducing } : {}) } : o.expert === 'linear' ? { noise: o.noise } : o.expert === 'multinomial' ? { ridge: o.expert_ridge } : o.expert === 'leaf' ? { leaf: o.leaf, links: o.links } : {}) };
  const experts = o.expert === 'leaf' ? leafWords(o) : o.expert === 'poisson' ? 'Poisson experts (log link, linear in the inputs)' : o.expert === 'bernoulli' ? 'Bernoulli experts (logit link, linear in the inputs)' : o.expert === 'multinomial' ? `multinomial experts (softmax over the levels, linear in the inputs, the first level the reference; ridge ${String(o.expert_ridge)})` : o.expert === 'gp' ? `${typeof o.gp_inducing === 'number' ? `sparse GP experts (${String(o.gp_inducing)} inducing inputs shared by the experts; ` : 'exact GP experts ('}kernel, mean and noise per expert; ${String(o.gp_steps)} L-BFGS steps per M-step on the responsibility-weighted marginal likelihood)` : `linear-Gaussian experts with ${String(o.noise)} noise`;
  return {
    key: 'experts',
    json,
    lines: [
      `${model}: a mixture of ${String(o.k)} experts, p(${json.outputs.join(', ')} | ${json.inputs.join(', ')})`,
      `  ${gate}; ${experts}; ${fitPhrase(o, methods)}`,
    ],
  };
}
