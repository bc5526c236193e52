// What a mixture-of-experts graph says: one `family` node (family 'moe') whose options name the
// gate, the experts and the roles of the variables, and whose params name the IR parameters
// (gate and expert coefficients). Read once per use by specOf (the node is plain JSON).
import type { FamilyNode, IRGraph } from '../../ir/types.js';

export const MOE_NAME = 'moe';
export const GATES = ['softmax', 'gaussian', 'tree'] as const;
export const EXPERTS = ['linear', 'gp', 'poisson', 'bernoulli', 'multinomial', 'leaf'] as const;
export type ExpertKind = (typeof EXPERTS)[number];
export const NOISES = ['diag', 'full'] as const;
export type GateKind = (typeof GATES)[number];
export type NoiseKind = (typeof NOISES)[number];

/** IR parameter names by role. */
export const P = {
  gateW: 'gate.w', // softmax: [K, D + 1], the last column the intercept; row K-1 is the reference class (0)
  gatePi: 'gate.pi', // gaussian: [K] mixing weights
  gateMean: 'gate.mean', // gaussian: [K, D]
  gateCov: 'gate.cov', // gaussian: [K, D, D]
  gateInner: 'gate.inner', // tree: [B, K / B, D + 1], each branch's gate (gate.w is then [B, D + 1]); deeper levels: gateLevel(l)
  coef: 'expert.coef', // [K, Pout, D + 1], the last column the intercept; categorical: [K, L - 1, D + 1] (levels 2..L)
  noise: 'expert.noise', // diag: [K, Pout] variances; full: [K, Pout, Pout] covariances
} as const;

/** A tree gate's parameter of level l (0-based): gate.w, gate.inner, then gate.level3, gate.level4, ... ([nodes, fan, D + 1]). */
export const gateLevel = (l: number): string => (l === 0 ? P.gateW : l === 1 ? P.gateInner : `gate.level${l + 1}`);

export interface MoeSpec {
  readonly K: number;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly D: number;
  readonly P: number;
  readonly gate: GateKind;
  /** Top-K sparse softmax gating: experts evaluated per point (K: dense). */
  readonly top: number;
  /** Tree gates: the branches of the top level (K / branches experts each). */
  readonly branches: number;
  /** Tree gates: the levels (2 unless depth is given; 1 is the softmax gate). */
  readonly depth: number;
  /** Ridge penalty on the softmax gate's slopes: (ridge / 2) sum w^2 is subtracted from the EM objective. */
  readonly ridge: number;
  readonly expert: ExpertKind;
  readonly noise: NoiseKind;
  /** GP experts: L-BFGS steps on each expert's hyperparameters per M-step. */
  readonly gpSteps: number;
  /** Categorical experts: the output's levels, and the ridge on their slopes. */
  readonly levels: number;
  readonly expertRidge: number;
  /** Leaf experts: the stdlib leaf, and per parameter 'const' or its link (expert-leaf.ts; options.links is them joined by commas). */
  readonly leaf?: string;
  readonly links?: readonly string[];
  /** Sparse GP experts: the inducing inputs' count (undefined: exact GP experts). */
  readonly inducing?: number;
}

export function moeNode(graph: IRGraph): FamilyNode {
  const n = graph.nodes.find((x) => x.id === graph.root);
  if (!n || n.kind !== 'family' || n.family !== MOE_NAME) throw new Error('not a mixture-of-experts graph');
  return n;
}

export function specOf(graph: IRGraph): MoeSpec {
  const o = moeNode(graph).options;
  const inputs = o.inputs as readonly number[];
  const outputs = o.outputs as readonly number[];
  const K = o.k as number;
  return {
    K,
    inputs,
    outputs,
    D: inputs.length,
    P: outputs.length,
    gate: o.gate as GateKind,
    top: typeof o.top === 'number' ? o.top : K,
    ridge: typeof o.ridge === 'number' ? o.ridge : 0,
    branches: typeof o.branches === 'number' ? o.branches : 1,
    depth: typeof o.depth === 'number' ? o.depth : 2,
    expert: o.expert as ExpertKind,
    noise: o.noise as NoiseKind,
    gpSteps: typeof o.gp_steps === 'number' ? o.gp_steps : 5,
    levels: levelsOf(graph, outputs[0]!),
    expertRidge: typeof o.expert_ridge === 'number' ? o.expert_ridge : 0,
    ...(typeof o.leaf === 'string' ? { leaf: o.leaf, links: String(o.links).split(',') } : {}),
    ...(typeof o.gp_inducing === 'number' ? { inducing: o.gp_inducing } : {}),
  };
}

/** The number of levels of a categorical variable (0 for other types). */
export function levelsOf(graph: IRGraph, v: number): number {
  const t = graph.vars[v]?.type;
  return t && t.kind === 'categorical' ? t.levels.length : 0;
}
