// A fitted GP's hyperparameters by the names written in its kernel (Model.params(),
// docs/api.md): `rbf.ls`, not the artifact's `n0.rbf_0.ls`.
import type { GPNode, KernelExpr } from '../../ir/types.js';
import { getLikelihood } from '../../stdlib/likelihoods/index.js';
import type { ModelState } from '../state.js';
import { gpNode } from './fit.js';

/** A number, a vector by variable name (ARD lengthscales, linear mean weights), else an array (rows for a matrix). */
export type GpValue = number | Readonly<Record<string, number>> | readonly number[] | readonly (readonly number[])[];

export interface GpParams {
  readonly kind: 'gp';
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /**
   * Flat, in reading order: `NAME.PARAM` for each base kernel (`rbf.ls`), `NAME#2.PARAM` for its
   * second occurrence, `scale(TERM)` for a number multiplying a term (`scale(rbf)`,
   * `scale(rbf#2 * periodic)`); a number alone is `constant.value`.
   */
  readonly kernel: Readonly<Record<string, GpValue>>;
  /** Gaussian noise variance: a number, by output name for a multitask GP. */
  readonly noise: GpValue;
  readonly mean: { readonly kind: 'zero' } | { readonly kind: 'constant'; readonly c: GpValue } | { readonly kind: 'linear'; readonly w: GpValue; readonly b: GpValue };
  /** gaussian (its variance is `noise`) or the written likelihood with its parameters by name (student_t: scale, df). */
  readonly likelihood: { readonly name: string; readonly link?: string; readonly params: Readonly<Record<string, GpValue>> };
  /** Metadata: sparse m is the inducing count, vecchia m the neighbours per point. */
  readonly inference: { readonly kind: 'exact' } | { readonly kind: 'sparse' | 'vecchia'; readonly m: number };
  /** The output standardization when `normalize` is on. */
  readonly normalize?: { readonly shift: GpValue; readonly scale: GpValue };
}

/** A parameter's value shaped for reading: [] a number, [n] by `names` when they fit, [r, c] rows. */
function shaped(state: ModelState, param: string, names: readonly string[] = []): GpValue {
  const values = Array.from(state.values.get(param) ?? state.graph.params[param]!.value);
  const shape = state.graph.params[param]!.shape;
  if (shape.length === 0) return values[0]!;
  if (shape.length === 1 && names.length === values.length) return Object.fromEntries(names.map((n, i) => [n, values[i]!]));
  if (shape.length === 2) return Array.from({ length: shape[0]! }, (_, r) => values.slice(r * shape[1]!, (r + 1) * shape[1]!));
  return values.length === 1 ? values[0]! : values;
}

/** Labels each base kernel by its name, numbered from its second occurrence (rbf, rbf#2). */
function kernelEntries(state: ModelState, node: GPNode): Record<string, GpValue> {
  const g = state.graph;
  const inputNames = node.inputs.map((i) => g.vars[i]!.name);
  const seen = new Map<string, number>();
  const entries: [string, GpValue][] = [];
  const walk = (k: KernelExpr): string => {
    switch (k.op) {
      case 'base': {
        const n = (seen.get(k.name) ?? 0) + 1;
        seen.set(k.name, n);
        const label = n === 1 ? k.name : `${k.name}#${n}`;
        const dims = (k.dims ?? node.inputs.map((_, i) => i)).map((d) => inputNames[d] ?? `input${d}`);
        for (const [role, param] of Object.entries(k.params)) entries.push([`${label}.${role}`, shaped(state, param, dims)]);
        return label;
      }
      case 'sum':
      case 'product': {
        const joined = k.terms.map(walk).join(k.op === 'sum' ? ' + ' : ' * ');
        return k.op === 'sum' ? `(${joined})` : joined;
      }
      case 'scale': {
        // Listed before the term it multiplies, as written (2 * rbf); its key needs the term's labels.
        const at = entries.push(['', 0]) - 1;
        const term = walk(k.kernel);
        entries[at] = [`scale(${term.replace(/^\((.*)\)$/, '$1')})`, shaped(state, k.factor)];
        return term;
      }
    }
  };
  walk(node.kernel);
  return Object.fromEntries(entries);
}

export function gpParams(state: ModelState): GpParams {
  const g = state.graph;
  const node = gpNode(g);
  const inputs = node.inputs.map((i) => g.vars[i]!.name);
  const outputs = (node.outputs ?? [node.output]).map((i) => g.vars[i]!.name);
  const m = node.mean;
  const mean: GpParams['mean'] =
    m.kind === 'zero' ? { kind: 'zero' } : m.kind === 'constant' ? { kind: 'constant', c: shaped(state, m.c, outputs) } : { kind: 'linear', w: shaped(state, m.w, inputs), b: shaped(state, m.b, outputs) };
  const lik = node.likelihood;
  const spec = lik ? getLikelihood(lik.name) : undefined;
  const likelihood: GpParams['likelihood'] = lik
    ? { name: lik.name, link: lik.link, params: Object.fromEntries(lik.params.map((p, i) => [spec?.params[i]?.name ?? p, shaped(state, p)])) }
    : { name: 'gaussian', params: {} };
  const inf = node.inference;
  return {
    kind: 'gp',
    inputs,
    outputs,
    kernel: kernelEntries(state, node),
    noise: shaped(state, node.noise, outputs),
    mean,
    likelihood,
    inference: inf.kind === 'exact' ? { kind: 'exact' } : { kind: inf.kind, m: inf.m },
    ...(node.normalize ? { normalize: { shift: shaped(state, node.normalize.shift, outputs), scale: shaped(state, node.normalize.scale, outputs) } } : {}),
  };
}
