// Random valid (smooth, decomposable) circuits as IRGraph (family 'circuit'), independent of
// the language front end, and brute-force references: enumeration of the joint over every
// complete assignment, with leaf densities computed here from the parameters (not by stdlib).
// Structures mix dense sums with several children, mixing nodes, Hadamard and Kronecker
// products, and shared sub-circuits (a node reached from several parents: a DAG).
import fc from 'fast-check';
import type { IRGraph, IRNode, IRParam, IRVariable } from '../../ir/types.js';
import { ModelState } from '../../runtime/state.js';
import { Rng } from '../../stdlib/random.js';

export interface CircuitOptions {
  /** Number of variables (discrete: 1..10; continuous: 1..2). */
  readonly vars: number;
  readonly kind: 'discrete' | 'continuous';
  /** Build only deterministic sums (each unit's inputs fix a variable to different levels). */
  readonly deterministic?: boolean;
  readonly maxDepth?: number;
  /** At most this many complete assignments (discrete): bounds 3-level variables. */
  readonly maxStates?: number;
  /** Only inputs, Hadamard products and dense sums (no mixing nodes, no Kronecker products). */
  readonly sumsOnly?: boolean;
}

const param = (name: string, shape: number[], value: number[], kind: IRParam['param']): IRParam => ({
  name, shape, value, param: kind, fixed: false, init: 'given',
});

class Builder {
  readonly nodes: IRNode[] = [];
  readonly params: Record<string, IRParam> = {};
  private readonly cache = new Map<string, string[]>();

  constructor(readonly rng: Rng, readonly vars: IRVariable[], readonly opts: CircuitOptions) {}

  private id(): string {
    return `n${this.nodes.length}`;
  }

  private add(node: IRNode): string {
    this.nodes.push(node);
    return node.id;
  }

  private levels(v: number): number {
    const t = this.vars[v]!.type;
    return t.kind === 'categorical' ? t.levels.length : 2;
  }

  /** A random simplex row of length k; some entries zero (never all) when `zeros`. */
  simplex(k: number, zeros = true): number[] {
    const raw: number[] = Array.from({ length: k }, () => (zeros && k > 1 && this.rng.uniform() < 0.12 ? 0 : 0.05 + this.rng.uniform()));
    if (!raw.some((r) => r > 0)) raw[this.rng.int(k)] = 1;
    const s = raw.reduce((a, b) => a + b, 0);
    return raw.map((r) => r / s);
  }

  leaf(scope: number[], units: number, indicator?: number): string {
    const id = this.id();
    const D = scope.length;
    if (this.opts.kind === 'continuous') {
      const diag = D > 1 && this.rng.uniform() < 0.5;
      const mean = Array.from({ length: units * D }, () => -2 + 4 * this.rng.uniform());
      const params: Record<string, string> = { mean: `${id}.mean` };
      this.params[`${id}.mean`] = param(`${id}.mean`, [units, D], mean, { kind: 'identity' });
      if (diag) {
        const v = Array.from({ length: units * D }, () => 0.3 + this.rng.uniform());
        this.params[`${id}.var`] = param(`${id}.var`, [units, D], v, { kind: 'positive' });
        params['var'] = `${id}.var`;
      } else {
        const cov: number[] = [];
        for (let u = 0; u < units; u++) {
          if (D === 1) cov.push(0.3 + this.rng.uniform());
          else {
            const a = 0.3 + this.rng.uniform();
            const b = 0.3 + this.rng.uniform();
            const r = (2 * this.rng.uniform() - 1) * 0.8 * Math.sqrt(a * b);
            cov.push(a, r, r, b);
          }
        }
        this.params[`${id}.cov`] = param(`${id}.cov`, [units, D, D], cov, { kind: 'spd' });
        params['cov'] = `${id}.cov`;
      }
      return this.add({ kind: 'input', id, dist: 'Normal', ...(diag ? { variant: 'diag' } : {}), scope, units, params });
    }
    const allBool = scope.every((v) => this.vars[v]!.type.kind === 'bool');
    if (allBool && this.rng.uniform() < 0.5) {
      const p = Array.from({ length: units * D }, () =>
        indicator !== undefined ? indicator : this.rng.uniform() < 0.05 ? (this.rng.uniform() < 0.5 ? 0 : 1) : 0.05 + 0.9 * this.rng.uniform(),
      );
      this.params[`${id}.p`] = param(`${id}.p`, [units, D], p, { kind: 'unit' });
      return this.add({ kind: 'input', id, dist: 'Bernoulli', scope, units, params: { p: `${id}.p` } });
    }
    const L = Math.max(...scope.map((v) => this.levels(v)));
    const probs: number[] = [];
    for (let u = 0; u < units; u++) {
      for (const v of scope) {
        const lv = this.levels(v);
        const row = indicator !== undefined ? Array.from({ length: lv }, (_, l) => (l === indicator ? 1 : 0)) : this.simplex(lv, this.rng.uniform() < 0.3);
        probs.push(...row, ...new Array<number>(L - lv).fill(0));
      }
    }
    this.params[`${id}.probs`] = param(`${id}.probs`, [units, D, L], probs, { kind: 'simplex' });
    return this.add({ kind: 'input', id, dist: 'Categorical', scope, units, params: { probs: `${id}.probs` } });
  }

  private sumNode(kind: 'sum' | 'mixing', scope: number[], units: number, children: string[], arity?: number): string {
    const id = this.id();
    const I = children.reduce((s, c) => s + this.nodes.find((n) => n.id === c)!.units, 0);
    const A = kind === 'mixing' ? arity! : I;
    const w: number[] = [];
    for (let u = 0; u < units; u++) w.push(...this.simplex(A));
    this.params[`${id}.weights`] = param(`${id}.weights`, [units, A], w, { kind: 'simplex' });
    if (kind === 'mixing') return this.add({ kind: 'mixing', id, arity: A, children, weights: `${id}.weights`, scope, units });
    return this.add({ kind: 'sum', id, children, weights: `${id}.weights`, scope, units });
  }

  private split(scope: number[], parts: number): number[][] {
    const shuffled = [...scope].sort(() => this.rng.uniform() - 0.5);
    const cuts = new Set<number>();
    while (cuts.size < parts - 1) cuts.add(1 + this.rng.int(scope.length - 1));
    const bounds = [0, ...[...cuts].sort((a, b) => a - b), scope.length];
    return bounds.slice(1).map((b, i) => shuffled.slice(bounds[i]!, b).sort((x, y) => x - y));
  }

  build(scope: number[], units: number, depth: number): string {
    const key = `${this.opts.deterministic ? 'd' : ''}${scope.join(',')}|${units}`;
    const seen = this.cache.get(key);
    // Shared sub-circuits: reuse an earlier node over the same scope and units.
    if (seen && this.rng.uniform() < 0.4) return seen[this.rng.int(seen.length)]!;
    const id = this.fresh(scope, units, depth);
    this.cache.set(key, [...(seen ?? []), id]);
    return id;
  }

  private fresh(scope: number[], units: number, depth: number): string {
    const maxDepth = this.opts.maxDepth ?? 5;
    const big = this.nodes.length > 80;
    const r = this.rng.uniform();
    if (this.opts.deterministic && !big && depth < maxDepth && r < 0.5) return this.deterministicSum(scope, units, depth);
    if (scope.length === 1 || big || depth >= maxDepth || r < 0.12) {
      if (!this.opts.deterministic && !big && depth < maxDepth && this.rng.uniform() < 0.5) return this.randomSum(scope, units, depth);
      return this.leaf(scope, units);
    }
    const s = this.rng.uniform();
    if (!this.opts.deterministic && s < 0.35) return this.randomSum(scope, units, depth);
    if (s < 0.7 || this.opts.sumsOnly) {
      const parts = this.split(scope, 2 + this.rng.int(Math.min(3, scope.length) - 1));
      return this.add({ kind: 'product', id: this.reserve(), mode: 'hadamard', children: parts.map((p) => this.build(p, units, depth + 1)), scope, units });
    }
    const [a, b] = this.split(scope, 2) as [number[], number[]];
    const divisors = Array.from({ length: units }, (_, i) => i + 1).filter((d) => units % d === 0);
    const ua = divisors[this.rng.int(divisors.length)]!;
    const left = this.build(a, ua, depth + 1);
    const right = this.build(b, units / ua, depth + 1);
    return this.add({ kind: 'product', id: this.id(), mode: 'kronecker', children: [left, right], scope, units });
  }

  /** A unique placeholder id for a node whose children are built after its id is taken; randomCircuit renumbers. */
  private reserve(): string {
    return `p${this.nodes.length}_${this.rng.int(1e9)}`;
  }

  private randomSum(scope: number[], units: number, depth: number): string {
    if (!this.opts.sumsOnly && this.rng.uniform() < 0.4) {
      const arity = 2 + this.rng.int(2);
      const children = this.rng.uniform() < 0.5 && arity * units <= 6
        ? [this.build(scope, arity * units, depth + 1)]
        : Array.from({ length: arity }, () => this.build(scope, units, depth + 1));
      return this.sumNode('mixing', scope, units, children, arity);
    }
    const k = 1 + this.rng.int(3);
    const children = Array.from({ length: k }, () => this.build(scope, 1 + this.rng.int(3), depth + 1));
    return this.sumNode('sum', scope, units, children);
  }

  /** Inputs that fix a variable v to different levels: at most one is non-zero at any assignment. */
  private deterministicSum(scope: number[], units: number, depth: number): string {
    const v = scope[this.rng.int(scope.length)]!;
    const rest = scope.filter((x) => x !== v);
    const lv = this.levels(v);
    const mixing = !this.opts.sumsOnly && this.rng.uniform() < 0.5;
    const childUnits = mixing ? units : 1;
    const children = Array.from({ length: lv }, (_, l) => {
      const ind = this.leaf([v], childUnits, l);
      if (rest.length === 0) return ind;
      const sub = this.build(rest, childUnits, depth + 1);
      return this.add({ kind: 'product', id: this.id(), mode: 'hadamard', children: [ind, sub], scope, units: childUnits });
    });
    return mixing ? this.sumNode('mixing', scope, units, children, lv) : this.sumNode('sum', scope, units, children);
  }
}

/** A random circuit from a seed. */
export function randomCircuit(seed: number, opts: CircuitOptions): IRGraph {
  const rng = new Rng(seed);
  const vars: IRVariable[] = [];
  let states = 1;
  for (let v = 0; v < opts.vars; v++) {
    if (opts.kind === 'continuous') vars.push({ name: `x${v}`, type: { kind: 'real' } });
    else if (rng.uniform() < 0.3 && states * 3 * 2 ** (opts.vars - v - 1) <= (opts.maxStates ?? 4096)) {
      vars.push({ name: `x${v}`, type: { kind: 'categorical', levels: ['a', 'b', 'c'] } });
      states *= 3;
    } else {
      vars.push({ name: `x${v}`, type: { kind: 'bool' } });
      states *= 2;
    }
  }
  const b = new Builder(rng, vars, opts);
  const root = b.build(vars.map((_, i) => i), 1, 0);
  // Product ids were placeholders while their children were built: renumber in order.
  const rename = new Map(b.nodes.map((n, i) => [n.id, `n${i}`] as const));
  const nodes = b.nodes.map((n) => ({ ...n, id: rename.get(n.id)!, ...('children' in n ? { children: n.children.map((c) => rename.get(c)!) } : {}) }) as IRNode);
  return { version: 1, family: 'circuit', vars, params: b.params, nodes, root: rename.get(root)! };
}

export const circuitArb = (opts: Omit<CircuitOptions, 'vars'> & { minVars?: number; maxVars: number }): fc.Arbitrary<IRGraph> =>
  fc.tuple(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: opts.minVars ?? 1, max: opts.maxVars })).map(([seed, vars]) => randomCircuit(seed, { ...opts, vars }));

export const stateOf = (g: IRGraph): ModelState => new ModelState(g);

// ---------------------------------------------------------------------------------------
// Brute force.

/** Every complete assignment of discrete variables, as rows (row-major n x V). */
export function assignments(graph: IRGraph): { rows: Float64Array; n: number } {
  const V = graph.vars.length;
  const levels = graph.vars.map((v) => (v.type.kind === 'categorical' ? v.type.levels.length : 2));
  const n = levels.reduce((a, b) => a * b, 1);
  const rows = new Float64Array(n * V);
  for (let i = 0; i < n; i++) {
    let r = i;
    for (let v = V - 1; v >= 0; v--) {
      rows[i * V + v] = r % levels[v]!;
      r = Math.floor(r / levels[v]!);
    }
  }
  return { rows, n };
}

/** Log-values of every unit of every node at one complete row, straight from the definitions. */
export function referenceValues(graph: IRGraph, row: ArrayLike<number>): Map<string, number[]> {
  const vals = new Map<string, number[]>();
  const P = (name: string): readonly number[] => graph.params[name]!.value;
  for (const n of graph.nodes) {
    const out: number[] = [];
    if (n.kind === 'input') {
      const D = n.scope.length;
      for (let u = 0; u < n.units; u++) {
        let s = 0;
        if (n.dist === 'Bernoulli') {
          n.scope.forEach((v, j) => (s += Math.log(row[v] === 1 ? P(n.params['p']!)[u * D + j]! : 1 - P(n.params['p']!)[u * D + j]!)));
        } else if (n.dist === 'Categorical') {
          const L = graph.params[n.params['probs']!]!.shape[2]!;
          n.scope.forEach((v, j) => (s += Math.log(P(n.params['probs']!)[(u * D + j) * L + row[v]!]!)));
        } else {
          const mu = P(n.params['mean']!).slice(u * D, (u + 1) * D);
          const cov = n.variant === 'diag' ? [P(n.params['var']!)[u * D]!, 0, 0, P(n.params['var']!)[u * D + D - 1]!] : P(n.params['cov']!).slice(u * D * D, (u + 1) * D * D);
          s = D === 1 ? gauss1(row[n.scope[0]!]!, mu[0]!, n.variant === 'diag' ? cov[0]! : cov[0]!) : gauss2(row[n.scope[0]!]!, row[n.scope[1]!]!, mu, cov);
        }
        out.push(s);
      }
    } else if (n.kind === 'product') {
      const kids = n.children.map((c) => vals.get(c)!);
      for (let u = 0; u < n.units; u++) {
        let rest = u;
        let s = 0;
        for (let c = kids.length - 1; c >= 0; c--) {
          const k = kids[c]!;
          s += n.mode === 'hadamard' ? k[u]! : k[rest % k.length]!;
          rest = Math.floor(rest / k.length);
        }
        out.push(s);
      }
    } else if (n.kind === 'sum' || n.kind === 'mixing') {
      const inp = n.children.flatMap((c) => vals.get(c)!);
      const w = P(n.weights);
      const A = n.kind === 'mixing' ? n.arity : inp.length;
      for (let u = 0; u < n.units; u++) {
        let s = 0;
        for (let a = 0; a < A; a++) s += w[u * A + a]! * Math.exp(inp[n.kind === 'mixing' ? a * n.units + u : a]!);
        out.push(Math.log(s));
      }
    } else throw new Error(`reference: node kind ${n.kind}`);
    vals.set(n.id, out);
  }
  return vals;
}

function gauss1(x: number, mu: number, v: number): number {
  return -0.5 * Math.log(2 * Math.PI * v) - ((x - mu) ** 2) / (2 * v);
}

function gauss2(x: number, y: number, mu: ArrayLike<number>, c: ArrayLike<number>): number {
  const [a, b, d] = [c[0]!, c[1]!, c[3]!];
  const det = a * d - b * b;
  const dx = x - mu[0]!;
  const dy = y - mu[1]!;
  return -Math.log(2 * Math.PI) - 0.5 * Math.log(det) - (d * dx * dx - 2 * b * dx * dy + a * dy * dy) / (2 * det);
}

/** log p of a complete row by the reference evaluator. */
export function referenceLogJoint(graph: IRGraph, row: ArrayLike<number>): number {
  return referenceValues(graph, row).get(graph.root)![0]!;
}

/** The brute-force joint: every complete assignment with its probability. */
export function bruteJoint(graph: IRGraph): { rows: Float64Array; n: number; p: Float64Array } {
  const { rows, n } = assignments(graph);
  const V = graph.vars.length;
  const p = Float64Array.from({ length: n }, (_, i) => Math.exp(referenceLogJoint(graph, rows.subarray(i * V, (i + 1) * V))));
  return { rows, n, p };
}

/** Does complete row i agree with the partial row (NaN = any)? */
export function agrees(rows: Float64Array, i: number, partial: ArrayLike<number>): boolean {
  const V = partial.length;
  for (let v = 0; v < V; v++) if (!Number.isNaN(partial[v]!) && rows[i * V + v] !== partial[v]) return false;
  return true;
}

/** Brute-force probability of a partial assignment (NaN = summed out). */
export function bruteProb(j: ReturnType<typeof bruteJoint>, partial: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < j.n; i++) if (agrees(j.rows, i, partial)) s += j.p[i]!;
  return s;
}

/** A random partial assignment of the variables (each given with probability `given`). */
export function randomPartial(graph: IRGraph, rng: Rng, given = 0.4): Float64Array {
  return Float64Array.from(graph.vars, (v) => (rng.uniform() < given ? rng.int(v.type.kind === 'categorical' ? v.type.levels.length : 2) : NaN));
}
