// Evaluates a kernel expression (sums, products and positive scalings of base kernels, as
// the IR's KernelExpr) on blocks of input pairs: values, and the gradient of
// sum_p w[p] k(pair p) with respect to every hyperparameter it references. The backward
// pass pushes the weights down the tree: a sum passes them on, a scaling multiplies them by
// its factor, a product by the values of the other factors.
import type { KernelExpr } from '../../ir/types.js';
import { getKernel } from './registry.js';
import { Pairs } from './pairs.js';
import type { BaseKernel, KernelContext } from './types.js';

type Node =
  | { op: 'base'; kernel: BaseKernel; ctx: KernelContext; params: string[]; cols: number[] }
  | { op: 'sum' | 'product'; terms: Node[] }
  | { op: 'scale'; factor: string; kernel: Node };

export class KernelEvaluator {
  private readonly root: Node;
  private readonly bufs: Float64Array[] = [];
  private bufTop = 0;

  /** `stride` is the number of input columns; `value(name)` gives a parameter's live values. */
  constructor(
    expr: KernelExpr,
    readonly stride: number,
    private readonly param: (name: string) => Float64Array,
  ) {
    this.root = this.build(expr);
  }

  private build(e: KernelExpr): Node {
    switch (e.op) {
      case 'base': {
        const kernel = getKernel(e.name);
        if (!kernel) throw new Error(`unknown kernel '${e.name}'`);
        const cols = e.dims ? [...e.dims] : Array.from({ length: this.stride }, (_, i) => i);
        const ctx: KernelContext = { dims: cols.length, options: { ...(e.options ?? {}) } };
        const params = kernel.params.map((s) => {
          const name = e.params[s.name];
          if (name === undefined) throw new Error(`kernel ${e.name} lacks parameter ${s.name}`);
          return name;
        });
        return { op: 'base', kernel, ctx, params, cols };
      }
      case 'sum':
      case 'product':
        return { op: e.op, terms: e.terms.map((t) => this.build(t)) };
      case 'scale':
        return { op: 'scale', factor: e.factor, kernel: this.build(e.kernel) };
    }
  }

  /** Pairs of rows r0..r1 of x1 with all n2 rows of x2 (or paired rows when `paired`). */
  pairs(x1: Float64Array, x2: Float64Array, r0: number, r1: number, n2: number, opts: { paired?: boolean; same?: boolean } = {}): Pairs {
    return new Pairs(x1, x2, this.stride, [], !!opts.paired, r0, r1, n2, !!opts.same);
  }

  /** out[p] = k(pair p). */
  value(pairs: Pairs, out: Float64Array): void {
    this.bufTop = 0;
    this.evalNode(this.root, pairs, out, undefined);
  }

  /**
   * Accumulates into grads (parameter name -> gradient array, natural units) the gradient of
   * sum_p w[p] k(pair p); returns nothing. Parameters missing from `grads` are skipped.
   */
  grad(pairs: Pairs, w: Float64Array, grads: ReadonlyMap<string, Float64Array>): void {
    this.bufTop = 0;
    const values = new Map<Node, Float64Array>();
    const k = this.buf(pairs.length);
    this.evalNode(this.root, pairs, k, values);
    values.set(this.root, k);
    // Every base kernel's own values are kept by the forward pass: its gradient reuses them.
    this.back(this.root, pairs, w, values, (n, p, wn) => this.baseGrad(n, p, wn, grads, values.get(n)), grads);
  }

  /**
   * Input gradients: accumulates g1[i, c] += sum_p w[p] dk(pair p)/dx1[i, c] (rows of x1)
   * and g2 likewise for x2 (row-major, `stride` columns, as x1 and x2; either may be
   * undefined). Kernels without gradX (white, constant, coregion) contribute nothing.
   */
  gradX(pairs: Pairs, w: Float64Array, g1: Float64Array | undefined, g2: Float64Array | undefined): void {
    this.bufTop = 0;
    const values = new Map<Node, Float64Array>();
    const k = this.buf(pairs.length);
    this.evalNode(this.root, pairs, k, values);
    this.back(
      this.root,
      pairs,
      w,
      values,
      (n, p, wn) => {
        if (!n.kernel.gradX) return;
        const kv = this.buf(p.length);
        n.kernel.value(n.params.map(this.param), n.ctx, p, kv);
        n.kernel.gradX(n.params.map(this.param), n.ctx, p, wn, kv, g1, g2);
      },
      undefined,
    );
  }

  private baseGrad(n: Extract<Node, { op: 'base' }>, p: Pairs, w: Float64Array, grads: ReadonlyMap<string, Float64Array>, kept?: Float64Array): void {
    const g = n.params.map((name) => grads.get(name));
    if (g.every((x) => x === undefined)) return;
    const dummy = g.map((x, i) => x ?? new Float64Array(this.param(n.params[i]!).length));
    const k = kept ?? this.buf(p.length);
    if (!kept) n.kernel.value(n.params.map(this.param), n.ctx, p, k);
    n.kernel.grad(n.params.map(this.param), n.ctx, p, w, k, dummy);
  }

  private buf(len: number): Float64Array {
    let b = this.bufs[this.bufTop];
    if (!b || b.length !== len) this.bufs[this.bufTop] = b = new Float64Array(len);
    this.bufTop++;
    return b;
  }

  private evalNode(n: Node, pairs: Pairs, out: Float64Array, keep: Map<Node, Float64Array> | undefined): void {
    switch (n.op) {
      case 'base':
        n.kernel.value(n.params.map(this.param), n.ctx, pairs.withCols(n.cols), out);
        break;
      case 'scale': {
        this.evalNode(n.kernel, pairs, out, keep);
        const s = this.param(n.factor)[0]!;
        if (keep) {
          // The child's own values are needed by the backward pass: keep a copy.
          const c = this.buf(pairs.length);
          c.set(out);
          keep.set(n.kernel, c);
        }
        for (let p = 0; p < pairs.length; p++) out[p] *= s;
        break;
      }
      case 'sum':
      case 'product': {
        const t = this.buf(pairs.length);
        n.terms.forEach((term, i) => {
          const dst = i === 0 ? out : t;
          this.evalNode(term, pairs, dst, keep);
          if (keep) {
            const c = this.buf(pairs.length);
            c.set(dst);
            keep.set(term, c);
          }
          if (i === 0) return;
          if (n.op === 'sum') for (let p = 0; p < pairs.length; p++) out[p] += t[p]!;
          else for (let p = 0; p < pairs.length; p++) out[p] *= t[p]!;
        });
        break;
      }
    }
  }

  /** Pushes the weights w down the tree; `leaf` takes each base kernel with its weights; scale factors' gradients go to `grads`. */
  private back(n: Node, pairs: Pairs, w: Float64Array, values: Map<Node, Float64Array>, leaf: (n: Extract<Node, { op: 'base' }>, p: Pairs, w: Float64Array) => void, grads: ReadonlyMap<string, Float64Array> | undefined): void {
    switch (n.op) {
      case 'base':
        leaf(n, pairs.withCols(n.cols), w);
        return;
      case 'sum':
        for (const t of n.terms) this.back(t, pairs, w, values, leaf, grads);
        return;
      case 'scale': {
        const child = values.get(n.kernel)!;
        const s = this.param(n.factor)[0]!;
        const g = grads?.get(n.factor);
        if (g) {
          let acc = 0;
          for (let p = 0; p < pairs.length; p++) acc += w[p]! * child[p]!;
          g[0] += acc;
        }
        const w2 = this.buf(pairs.length);
        for (let p = 0; p < pairs.length; p++) w2[p] = w[p]! * s;
        this.back(n.kernel, pairs, w2, values, leaf, grads);
        return;
      }
      case 'product': {
        n.terms.forEach((term, i) => {
          const w2 = this.buf(pairs.length);
          w2.set(w);
          n.terms.forEach((other, j) => {
            if (j === i) return;
            const v = values.get(other)!;
            for (let p = 0; p < pairs.length; p++) w2[p] *= v[p]!;
          });
          this.back(term, pairs, w2, values, leaf, grads);
        });
        return;
      }
    }
  }
}

/** Every parameter name an expression references, in order of first appearance. */
export function kernelParamNames(e: KernelExpr, out: string[] = []): string[] {
  const add = (n: string): void => {
    if (!out.includes(n)) out.push(n);
  };
  switch (e.op) {
    case 'base':
      Object.values(e.params).forEach(add);
      break;
    case 'sum':
    case 'product':
      e.terms.forEach((t) => kernelParamNames(t, out));
      break;
    case 'scale':
      add(e.factor);
      kernelParamNames(e.kernel, out);
      break;
  }
  return out;
}
