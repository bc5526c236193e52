// Artifact checks of a multitask graph (after the shared structural ones), naming the field,
// and what `pmix check` says about the model.
import type { IRGraph } from '../../ir/types.js';
import type { FamilyReport, GraphFail } from '../../runtime/family.js';
import { GP_ARTIFACT_MAX_POINTS } from '../../runtime/gp/cost.js';
import { MAX_CLUSTERS } from './lower.js';
import { MAX_GRID } from './fit.js';
import { multitaskNode, P, TRAIN } from './spec.js';
import { HYPER } from './vem.js';

const isIndexList = (v: unknown, V: number): v is number[] => Array.isArray(v) && v.length === 1 && Number.isInteger(v[0]) && v[0] >= 0 && v[0] < V;

export function checkMultitaskGraph(graph: IRGraph, fail: GraphFail): void {
  if (graph.nodes.length !== 1) fail('ir.nodes', 'a multitask graph has exactly one node (the multitask family node)');
  const node = multitaskNode(graph);
  const at = 'ir.nodes[0].options';
  const o = node.options;
  const V = graph.vars.length;
  const C = o.k;
  if (typeof C !== 'number' || !Number.isInteger(C) || C < 1 || C > MAX_CLUSTERS) return fail(`${at}.k`, `expected a whole number of clusters from 1 to ${MAX_CLUSTERS}`);
  if (!isIndexList(o.inputs, V)) return fail(`${at}.inputs`, `expected one variable index below ${V}`);
  if (!isIndexList(o.outputs, V)) return fail(`${at}.outputs`, `expected one variable index below ${V}`);
  if (!(typeof o.task === 'number' && Number.isInteger(o.task) && o.task >= 0 && o.task < V)) return fail(`${at}.task`, `expected a variable index below ${V}`);
  if (new Set([o.inputs[0], o.outputs[0], o.task]).size !== 3) fail(`${at}.task`, 'the input, the output and the task column must be distinct variables');
  if (!(typeof o.steps === 'number' && Number.isInteger(o.steps) && o.steps >= 0)) fail(`${at}.steps`, 'expected a whole number >= 0');
  for (const v of [o.inputs[0]!, o.outputs[0]!]) if (!['real', 'int'].includes(graph.vars[v]!.type.kind)) fail(`ir.vars[${v}].type`, 'a multitask GP takes a real or int input and output');
  if (graph.vars[o.task]!.type.kind !== 'int') fail(`ir.vars[${o.task}].type`, 'the task column is an int column (task ids)');
  const param = (name: string, shape: number[]): readonly number[] => {
    const p = graph.params[name];
    if (!p) return fail(`ir.params['${name}']`, 'missing');
    if (p.shape.length !== shape.length || p.shape.some((s, i) => s !== shape[i])) fail(`ir.params['${name}'].shape`, `expected [${shape.join(', ')}], got [${p.shape.join(', ')}]`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (p.value.length !== size) fail(`ir.params['${name}'].value`, `expected ${size} values, got ${p.value.length}`);
    const bad = p.value.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) fail(`ir.params['${name}'].value[${bad}]`, `${p.value[bad]} is not a finite number`);
    return p.value;
  };
  for (const h of HYPER) if (!(param(h, [1])[0]! > 0)) fail(`ir.params['${h}'].value[0]`, 'a variance or lengthscale must be > 0');
  const pi = param(P.pi, [C]);
  if (pi.some((v) => v < 0) || Math.abs(pi.reduce((a, b) => a + b, 0) - 1) > 1e-6) fail(`ir.params['${P.pi}'].value`, 'the cluster weights must be >= 0 and sum to 1');
  const present = TRAIN.filter((n) => graph.params[n]);
  if (!present.length) return;
  if (present.length !== TRAIN.length) return fail('ir.params', `a fitted multitask GP stores ${TRAIN.join(', ')}`);
  const n = graph.params[P.y]!.value.length;
  if (n > GP_ARTIFACT_MAX_POINTS) fail(`ir.params['${P.y}'].value`, `${n} training points: a saved multitask GP may carry at most ${GP_ARTIFACT_MAX_POINTS}`);
  const t = param(P.t, [n]);
  param(P.y, [n]);
  const task = param(P.task, [n]);
  const bad = task.findIndex((v) => !Number.isInteger(v));
  if (bad >= 0) fail(`ir.params['${P.task}'].value[${bad}]`, `${task[bad]} is not a whole-number task id`);
  const count = new Map<number, number>();
  for (const id of task) count.set(id, (count.get(id) ?? 0) + 1);
  const T = count.size;
  for (const [id, c] of count) if (c < 2) fail(`ir.params['${P.task}'].value`, `task ${id} has ${c} point; every stored task has at least 2`);
  if (new Set(t).size > MAX_GRID) fail(`ir.params['${P.t}'].value`, `more than ${MAX_GRID} distinct inputs`);
  const tau = param(P.tau, [C, T]);
  const neg = tau.findIndex((v) => v < 0 || v > 1);
  if (neg >= 0) fail(`ir.params['${P.tau}'].value[${neg}]`, 'a responsibility must lie in [0, 1]');
  for (let i = 0; i < T; i++) {
    let s = 0;
    for (let c = 0; c < C; c++) s += tau[c * T + i]!;
    if (Math.abs(s - 1) > 1e-6) fail(`ir.params['${P.tau}'].value`, `task ${i + 1}'s responsibilities sum to ${s}, not 1`);
  }
}

export function describeMultitask(graph: IRGraph): FamilyReport {
  const o = multitaskNode(graph).options;
  const name = (v: number): string => graph.vars[v]!.name;
  const input = name((o.inputs as number[])[0]!);
  const output = name((o.outputs as number[])[0]!);
  const task = name(o.task as number);
  const hyper = Object.fromEntries(HYPER.map((h) => [h, graph.params[h]!.init === 'data' ? 'from data' : `${graph.params[h]!.value[0]}${graph.params[h]!.fixed ? ' fixed' : ''}`]));
  const json = { input, output, task, k: o.k, steps: o.steps, hyperparameters: hyper };
  const learned = HYPER.filter((h) => !graph.params[h]!.fixed);
  return {
    key: 'multitask',
    json,
    lines: [
      `a cluster-specific multitask GP: curves ${output}(${input}), one per value of '${task}', in ${String(o.k)} clusters`,
      `  task in cluster c: ${output} = mu_c(${input}) + f_task(${input}) + noise; mu_c ~ GP(0, mean_kernel), f_task ~ GP(0, kernel), both RBF`,
      `  fitted by variational EM; ${learned.length ? `${String(o.steps)} L-BFGS steps per iteration on ${learned.join(', ')}` : 'every hyperparameter fixed'}; new tasks are predicted from their given points`,
    ],
  };
}
