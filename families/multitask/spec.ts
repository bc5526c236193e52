// What a multitask graph says: one `family` node (family 'multitask') whose options name the
// input, the output, the task column and the number of clusters, and whose parameters are the
// five RBF hyperparameters, the cluster weights and (fitted) the training curves with each task's
// responsibilities. Read once per use by specOf (the node is plain JSON).
import type { FamilyNode, IRGraph } from '../../ir/types.js';
import { HYPER } from './vem.js';

export const MULTITASK_NAME = 'multitask';

/** IR parameter names (the hyperparameters are HYPER's names). */
export const P = {
  pi: 'cluster.pi', // [C] the clusters' weights
  t: 'train.t', // [n] every training point's input
  y: 'train.y', // [n] its output
  task: 'train.task', // [n] its task id
  tau: 'train.tau', // [C, T] each task's cluster responsibilities, tasks in increasing id order
} as const;
export const TRAIN = [P.t, P.y, P.task, P.tau] as const;

export interface MultitaskSpec {
  readonly clusters: number;
  readonly input: number;
  readonly output: number;
  readonly task: number;
  /** L-BFGS steps on the hyperparameters per EM iteration. */
  readonly steps: number;
}

export function multitaskNode(graph: IRGraph): FamilyNode {
  const n = graph.nodes.find((x) => x.id === graph.root);
  if (!n || n.kind !== 'family' || n.family !== MULTITASK_NAME) throw new Error('not a multitask graph');
  return n;
}

export function specOf(graph: IRGraph): MultitaskSpec {
  const o = multitaskNode(graph).options;
  return { clusters: o.k as number, input: (o.inputs as number[])[0]!, output: (o.outputs as number[])[0]!, task: o.task as number, steps: o.steps as number };
}

/** The hyperparameters' current values, in HYPER's order. */
export function hyperOf(values: ReadonlyMap<string, Float64Array>): Float64Array {
  return Float64Array.from(HYPER, (n) => values.get(n)![0]!);
}
