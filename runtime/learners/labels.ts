// Partial labels for mixtures (semi-supervised EM; Generalized Category Discovery when there are
// more components than known classes). Known class c owns components c*m .. c*m + m - 1 of the
// root mixture (m = per_class); the components after the C*m owned ones are free: they take
// classes no label names. After every forward pass the root's component values of a labelled
// row are set to -inf outside its class's components, and the row's root value recomputed, so
// the backward pass gives it responsibilities exactly on its class (one-hot when m = 1) and EM
// maximizes  sum_unlabelled log p(x) + sum_labelled log sum_{a in class} w_a p_a(x),  which
// it never lowers. Unlabelled rows are soft-assigned over all k components as usual.
// Each restart's initialization (k-means) is aligned first: its components are permuted so
// that class c's slots hold the components its labelled rows already prefer.
import { forward, type NodeValues } from '../evaluate.js';
import { PmixError } from '../errors.js';
import type { ModelState } from '../state.js';

export interface PartialLabels {
  /** Per row: the class (the label column's level index), or -1 when the row has no label. */
  readonly classes: Int32Array;
  /** Known classes C (the label column's levels). */
  readonly known: number;
  /** Components per known class, m. */
  readonly perClass: number;
  /** The label column's name and levels, for messages. */
  readonly column: string;
  readonly levels: readonly string[];
}

/** The root mixture the labels clamp, or a message saying why the model cannot take labels. */
export function labelledRoot(state: ModelState, labels: PartialLabels): { id: string; k: number } {
  const root = state.node(state.graph.root);
  if (root.kind !== 'mixing' || root.units !== 1) throw new PmixError(`partial labels clamp the components of a mixture at the model's root; this model's root is ${root.kind === 'mixing' ? 'a mixing layer of several units' : `a ${root.kind} node`}`, 'bad-method', 'write the model as mixture(k = ...) of ...');
  const k = root.arity;
  const need = labels.known * labels.perClass;
  if (need > k) {
    throw new PmixError(
      `labels = ${labels.column} has ${labels.known} classes (${labels.levels.join(', ')})${labels.perClass > 1 ? ` x per_class = ${labels.perClass}` : ''}: the mixture needs at least ${need} components, it has k = ${k}`,
      'bad-value',
      `raise k to ${need} or more (components beyond ${need} find classes no label names)`,
    );
  }
  return { id: root.id, k };
}

/** The components class c owns. */
export function classComponents(c: number, perClass: number): number[] {
  return Array.from({ length: perClass }, (_, s) => c * perClass + s);
}

export class LabelClamp {
  private readonly root: { id: string; k: number };
  private readonly allowed: Uint8Array;

  constructor(
    state: ModelState,
    readonly labels: PartialLabels,
  ) {
    this.root = labelledRoot(state, labels);
    const { known, perClass } = labels;
    // allowed[c * k + a] = 1 when class c owns component a.
    this.allowed = new Uint8Array(known * this.root.k);
    for (let c = 0; c < known; c++) for (const a of classComponents(c, perClass)) this.allowed[c * this.root.k + a] = 1;
  }

  /** Clamps the labelled rows of a forward pass's values (in place): their root value sums over their class's components only. */
  apply(state: ModelState, vals: NodeValues, n: number): void {
    const { k, id } = this.root;
    const node = state.node(id) as { children: readonly string[] };
    const kids = node.children.map((c) => ({ vals: vals.get(c)!, units: state.node(c).units }));
    const at: [number, number][] = [];
    for (let c = 0, off = 0; c < kids.length; off += kids[c]!.units, c++) for (let u = 0; u < kids[c]!.units; u++) at.push([c, u]);
    const w = state.values.get((state.node(id) as { weights: string }).weights)!;
    // A new array for the root's values: the fused mixture kernels keep the forward's terms for
    // the backward pass keyed by the arrays' identity, and those terms predate the clamp.
    const root = vals.get(id)!.slice();
    vals.set(id, root);
    const cls = this.labels.classes;
    for (let i = 0; i < n; i++) {
      const c = cls[i]!;
      if (c < 0) continue;
      let m = -Infinity;
      for (let a = 0; a < k; a++) {
        const [kid, u] = at[a]!;
        const kv = kids[kid]!;
        if (!this.allowed[c * k + a]) kv.vals[i * kv.units + u] = -Infinity;
        else m = Math.max(m, Math.log(w[a]!) + kv.vals[i * kv.units + u]!);
      }
      if (m === -Infinity) {
        root[i] = -Infinity;
        continue;
      }
      let s = 0;
      for (let a = 0; a < k; a++) {
        if (!this.allowed[c * k + a]) continue;
        const [kid, u] = at[a]!;
        const kv = kids[kid]!;
        s += Math.exp(Math.log(w[a]!) + kv.vals[i * kv.units + u]! - m);
      }
      root[i] = m + Math.log(s);
    }
  }

  /**
   * Permutes a fresh initialization's components so that class c's slots hold the components
   * its labelled rows give the most responsibility (greedy on the class x component table).
   * Only for mixtures whose components are one vectorized layer stack (`mixture(k) of ...`);
   * others keep their order (the clamp alone then pulls components to the classes).
   */
  align(state: ModelState, x: Float64Array, n: number, rowWeights: Float64Array): void {
    const { k, id } = this.root;
    const below = state.nodes.filter((nd) => nd.id !== id);
    if (!below.every((nd) => nd.units === k)) return;
    const vals = forward(state, x, n);
    const node = state.node(id) as { children: readonly string[]; weights: string };
    if (node.children.length !== 1) return;
    const kid = vals.get(node.children[0]!)!;
    const root = vals.get(id)!;
    const w = state.values.get(node.weights)!;
    const { known, perClass } = this.labels;
    const score = new Float64Array(known * k);
    for (let i = 0; i < n; i++) {
      const c = this.labels.classes[i]!;
      if (c < 0 || !Number.isFinite(root[i]!)) continue;
      for (let a = 0; a < k; a++) score[c * k + a] += rowWeights[i]! * Math.exp(Math.log(w[a]!) + kid[i * k + a]! - root[i]!);
    }
    const perm = new Int32Array(k).fill(-1);
    const used = new Uint8Array(k);
    const slots = new Int32Array(known);
    for (let step = 0; step < known * perClass; step++) {
      let best = -1;
      let bc = -1;
      let ba = -1;
      for (let c = 0; c < known; c++) {
        if (slots[c]! >= perClass) continue;
        for (let a = 0; a < k; a++) if (!used[a] && score[c * k + a]! > best) [best, bc, ba] = [score[c * k + a]!, c, a];
      }
      perm[bc * perClass + slots[bc]!] = ba;
      slots[bc]!++;
      used[ba] = 1;
    }
    let next = known * perClass;
    for (let a = 0; a < k; a++) if (!used[a]) perm[next++] = a;
    permuteComponents(state, id, perm);
  }
}

/** new component j = old component perm[j], in the root's weights and every layer's units axis below it. */
function permuteComponents(state: ModelState, rootId: string, perm: Int32Array): void {
  const k = perm.length;
  const names = new Set<string>();
  names.add((state.node(rootId) as { weights: string }).weights);
  for (const nd of state.nodes) {
    if (nd.id === rootId) continue;
    if (nd.kind === 'mixing' || nd.kind === 'sum') names.add(nd.weights);
    if (nd.kind === 'input') {
      const layer = state.layers.get(nd.id)!;
      const shared = new Set(nd.shared ?? []);
      for (const [role, name] of Object.entries(layer.names)) if (!shared.has(role)) names.add(name);
    }
  }
  for (const name of names) {
    const v = state.values.get(name)!;
    if (v.length % k !== 0) continue;
    const per = v.length / k;
    const old = v.slice();
    for (let j = 0; j < k; j++) v.set(old.subarray(perm[j]! * per, (perm[j]! + 1) * per), j * per);
  }
}
