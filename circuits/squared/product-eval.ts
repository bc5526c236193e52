// Evaluation of a product circuit (product.ts: c * c, or c+ * c * c) in signed log space, and
// its reverse pass. With every variable marginalized (NaN) the root is the integral of the
// product, the partition function Z of a squared circuit; with some observed it is the
// unnormalized marginal; with one coordinate integrated only up to a bound (cdf) it is a CDF
// piece for sampling. Gradients are carried as flows f = x * dL/dx (L = log|root|): real,
// bounded, and the coefficients the leaf families' gradLogDensity expect.
import type { LayerParams } from '../../stdlib/distributions/index.js';
import { tupleLeaf, type CdfSpec } from './pair-leaves.js';
import { strides, type ProductCircuit, type TupleNode } from './product.js';
import { signedMatVec, signedMatVecBackFast } from './signed-log.js';
import { addDenseGrad, denseWeights, type CircuitView } from './view.js';

export interface PairValues {
  /** key -> [n, size] log|value| */
  readonly l: Map<string, Float64Array>;
  /** key -> [n, size] sign (+1, -1, 0) */
  readonly s: Map<string, Float64Array>;
}

/**
 * A variable of the model (global index) integrated only over [lower[row], upper[row]] (a
 * missing end is infinite), or, with `moment`, against (x - center)^k; see CdfSpec.
 */
export interface CdfQuery {
  readonly v: number;
  readonly upper?: Float64Array;
  readonly lower?: Float64Array;
  readonly moment?: { readonly k: number; readonly center: number };
}

function scopeCols(x: Float64Array, n: number, V: number, scope: readonly number[]): Float64Array {
  const D = scope.length;
  const out = new Float64Array(n * D);
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) out[i * D + j] = x[i * V + scope[j]!]!;
  return out;
}

/** The layout of a sum on side t: outer (sides before t), inner (sides after t, the stride of t). */
function sumLayout(p: Extract<TupleNode, { kind: 'sum' }>): { outer: number; inner: number } {
  const inner = strides(p.units)[p.side]!;
  return { outer: p.size / (p.units[p.side]! * inner), inner };
}

/** x: n rows over all the model's variables; NaN cells are integrated out. */
export function evalProduct(pc: ProductCircuit, view: CircuitView, x: Float64Array, n: number, cdf?: CdfQuery | readonly CdfQuery[]): PairValues {
  const queries: readonly CdfQuery[] = !cdf ? [] : Array.isArray(cdf) ? (cdf as readonly CdfQuery[]) : [cdf as CdfQuery];
  const V = view.graph.vars.length;
  const L = new Map<string, Float64Array>();
  const S = new Map<string, Float64Array>();
  for (const p of pc.nodes) {
    const size = n * p.size;
    const l = new Float64Array(size);
    const s = new Float64Array(size);
    switch (p.kind) {
      case 'leaf': {
        const ops = tupleLeaf(p.ids.map((id) => view.layers.get(id)!));
        const specs: CdfSpec[] = [];
        for (const q of queries) {
          const dim = p.scope.indexOf(q.v);
          if (dim >= 0) specs.push({ dim, upper: q.upper, lower: q.lower, moment: q.moment });
        }
        ops.forward(scopeCols(x, n, V, p.scope), n, specs.length ? specs : undefined, l, s);
        break;
      }
      case 'sum': {
        const { W, U, I } = denseWeights(view, p.ids[p.side]!);
        const { outer, inner } = sumLayout(p);
        const ins = p.children.map((k) => ({ l: L.get(k)!, s: S.get(k)!, c: pc.byKey.get(k)! }));
        const tl = new Float64Array(I);
        const ts = new Float64Array(I);
        const tmp = new Float64Array(I);
        for (let i = 0; i < n; i++) {
          for (let o = 0; o < outer; o++) {
            for (let r = 0; r < inner; r++) {
              let q = 0;
              for (const c of ins) {
                const cu = c.c.units[p.side]!;
                const base = i * c.c.size + o * cu * inner + r;
                for (let j = 0; j < cu; j++) {
                  tl[q] = c.l[base + j * inner]!;
                  ts[q++] = c.s[base + j * inner]!;
                }
              }
              signedMatVec(W, U, I, tl, ts, 0, 1, l, s, i * p.size + o * U * inner + r, inner, tmp);
            }
          }
        }
        break;
      }
      case 'product': {
        s.fill(1);
        for (const f of p.factors) {
          const c = pc.byKey.get(f.key)!;
          const cl = L.get(f.key)!;
          const cs = S.get(f.key)!;
          for (let i = 0; i < n; i++) {
            const cb = i * c.size;
            const pb = i * p.size;
            for (let k = 0; k < p.size; k++) {
              l[pb + k] += cl[cb + f.index[k]!]!;
              s[pb + k] *= cs[cb + f.index[k]!]!;
            }
          }
        }
        break;
      }
    }
    L.set(p.key, l);
    S.set(p.key, s);
  }
  return { l: L, s: S };
}

/**
 * Adds sum_i rootFlow[i] * d log|root(x_i)| / d theta to grads (natural space, keyed by
 * parameter name) for every parameter the product circuit reads. rootFlow: per row, e.g. the
 * row weight (or its negative, for the -log Z term of a likelihood).
 */
export function gradProduct(pc: ProductCircuit, view: CircuitView, x: Float64Array, n: number, vals: PairValues, rootFlow: Float64Array, grads: Map<string, Float64Array>): void {
  const V = view.graph.vars.length;
  const F = new Map<string, Float64Array>();
  for (const p of pc.nodes) F.set(p.key, new Float64Array(n * p.size));
  const rf = F.get(pc.root)!;
  for (let i = 0; i < n; i++) rf[i] = vals.l.get(pc.root)![i] === -Infinity ? 0 : rootFlow[i]!;
  const weightGrads = new Map<string, Float64Array>();
  for (let k = pc.nodes.length - 1; k >= 0; k--) {
    const p = pc.nodes[k]!;
    const f = F.get(p.key)!;
    const l = vals.l.get(p.key)!;
    const s = vals.s.get(p.key)!;
    switch (p.kind) {
      case 'leaf': {
        const layers = p.ids.map((id) => view.layers.get(id)!);
        const gs = layers.map((la) => {
          const g: LayerParams = {};
          for (const [role, nm] of Object.entries(la.names)) g[role] = grads.get(nm)!;
          return g;
        });
        tupleLeaf(layers).backward(scopeCols(x, n, V, p.scope), n, f, gs);
        break;
      }
      case 'sum': {
        const id = p.ids[p.side]!;
        const { W, U, I } = denseWeights(view, id);
        let gW = weightGrads.get(id);
        if (!gW) weightGrads.set(id, (gW = new Float64Array(U * I)));
        const { outer, inner } = sumLayout(p);
        const ins = p.children.map((key) => ({ l: vals.l.get(key)!, s: vals.s.get(key)!, f: F.get(key)!, c: pc.byKey.get(key)! }));
        const tl = new Float64Array(I);
        const ts = new Float64Array(I);
        const tf = new Float64Array(I);
        const scratch = new Float64Array(I + U);
        for (let i = 0; i < n; i++) {
          for (let o = 0; o < outer; o++) {
            for (let r = 0; r < inner; r++) {
              let q = 0;
              for (const c of ins) {
                const cu = c.c.units[p.side]!;
                const base = i * c.c.size + o * cu * inner + r;
                for (let j = 0; j < cu; j++) {
                  tl[q] = c.l[base + j * inner]!;
                  ts[q] = c.s[base + j * inner]!;
                  tf[q++] = 0;
                }
              }
              signedMatVecBackFast(W, U, I, tl, ts, 0, 1, l, s, i * p.size + o * U * inner + r, inner, f, tf, gW, 1, scratch);
              q = 0;
              for (const c of ins) {
                const cu = c.c.units[p.side]!;
                const base = i * c.c.size + o * cu * inner + r;
                for (let j = 0; j < cu; j++) c.f[base + j * inner] += tf[q++]!;
              }
            }
          }
        }
        break;
      }
      case 'product': {
        for (const fct of p.factors) {
          const c = pc.byKey.get(fct.key)!;
          const cf = F.get(fct.key)!;
          for (let i = 0; i < n; i++) {
            const cb = i * c.size;
            const pb = i * p.size;
            for (let q = 0; q < p.size; q++) cf[cb + fct.index[q]!] += f[pb + q]!;
          }
        }
        break;
      }
    }
  }
  for (const [id, G] of weightGrads) {
    const node = view.node(id) as { weights: string };
    addDenseGrad(view, id, G, grads.get(node.weights)!);
  }
}

/** log Z and its sign: the product circuit with every variable integrated out. */
export function logIntegral(pc: ProductCircuit, view: CircuitView): { logAbs: number; sign: number; vals: PairValues; x: Float64Array } {
  const x = new Float64Array(view.graph.vars.length).fill(NaN);
  const vals = evalProduct(pc, view, x, 1);
  return { logAbs: vals.l.get(pc.root)![0]!, sign: vals.s.get(pc.root)![0]!, vals, x };
}
