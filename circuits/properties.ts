// Structural properties of a circuit (pure functions over the IR). Each returns the nodes that
// violate the property, with their source refs, so `pmix check` can report them on spans;
// an empty list means the property holds (for `deterministic`: is proven to hold).
//   smooth:        every sum/mixing node's children cover exactly the node's scope
//   decomposable:  every product's children have pairwise disjoint scopes covering its scope
//   structuredDecomposable: decomposable, and all products over the same scope split it into
//                  the same parts (so, recursively, the whole circuit follows one vtree)
//   deterministic: for every unit of every sum/mixing node, the inputs with a non-zero weight
//                  have pairwise disjoint supports. A sound, incomplete check: supports are
//                  over-approximated by boxes of allowed levels of discrete variables, taken from
//                  leaves that declare a finite support (LeafFamily.finiteSupport: Categorical,
//                  Bernoulli) with zero probabilities.
import type { IRGraph, IRNode, SourceRef } from '../ir/types.js';
import { getDistribution } from '../stdlib/distributions/index.js';

export interface PropertyViolation {
  readonly node: string;
  readonly source?: SourceRef;
  readonly message: string;
}

const key = (scope: readonly number[]): string => [...scope].sort((a, b) => a - b).join(',');
const childrenOf = (n: IRNode): readonly string[] => ('children' in n ? n.children : []);

function violation(node: IRNode, message: string): PropertyViolation {
  return { node: node.id, ...(node.source ? { source: node.source } : {}), message };
}

function index(graph: IRGraph): Map<string, IRNode> {
  return new Map(graph.nodes.map((n) => [n.id, n] as const));
}

function names(graph: IRGraph, scope: readonly number[]): string {
  return `{${scope.map((v) => graph.vars[v]?.name ?? `#${v}`).join(', ')}}`;
}

export function smooth(graph: IRGraph): PropertyViolation[] {
  const byId = index(graph);
  const out: PropertyViolation[] = [];
  for (const n of graph.nodes) {
    if (n.kind !== 'sum' && n.kind !== 'mixing') continue;
    const bad = n.children.find((c) => key(byId.get(c)?.scope ?? []) !== key(n.scope));
    if (bad !== undefined) {
      out.push(violation(n, `sum node ${n.id} over ${names(graph, n.scope)} is not smooth: its child ${bad} covers ${names(graph, byId.get(bad)?.scope ?? [])}`));
    }
  }
  return out;
}

export function decomposable(graph: IRGraph): PropertyViolation[] {
  const byId = index(graph);
  const out: PropertyViolation[] = [];
  for (const n of graph.nodes) {
    if (n.kind !== 'product') continue;
    const seen = new Set<number>();
    let overlap: number | undefined;
    for (const c of n.children) {
      for (const v of byId.get(c)?.scope ?? []) {
        if (seen.has(v) && overlap === undefined) overlap = v;
        seen.add(v);
      }
    }
    if (overlap !== undefined) {
      out.push(violation(n, `product node ${n.id} is not decomposable: more than one of its children covers ${names(graph, [overlap])}`));
    } else if (key([...seen]) !== key(n.scope)) {
      out.push(violation(n, `product node ${n.id}: its children cover ${names(graph, [...seen].sort((a, b) => a - b))}, not its scope ${names(graph, n.scope)}`));
    }
  }
  return out;
}

export function structuredDecomposable(graph: IRGraph): PropertyViolation[] {
  const byId = index(graph);
  const out = decomposable(graph);
  const bad = new Set(out.map((v) => v.node));
  // The first product seen over each scope fixes the split; later ones must agree.
  const split = new Map<string, { node: string; parts: string }>();
  for (const n of graph.nodes) {
    if (n.kind !== 'product' || bad.has(n.id)) continue;
    const parts = n.children
      .map((c) => byId.get(c)?.scope ?? [])
      .filter((s) => s.length > 0)
      .map(key)
      .sort()
      .join(' | ');
    const first = split.get(key(n.scope));
    if (!first) split.set(key(n.scope), { node: n.id, parts });
    else if (first.parts !== parts) {
      out.push(violation(n, `product node ${n.id} splits ${names(graph, n.scope)} differently from product node ${first.node}: the circuit is not structured-decomposable`));
    }
  }
  return out;
}

/** Per variable, the levels a unit's support may take; a missing variable is unrestricted. */
type Box = Map<number, Set<number>> | 'empty';

export function deterministic(graph: IRGraph): PropertyViolation[] {
  const boxes = supportBoxes(graph);
  const byId = index(graph);
  const out: PropertyViolation[] = [];
  for (const n of graph.nodes) {
    if (n.kind !== 'sum' && n.kind !== 'mixing') continue;
    const inputs = concatBoxes(n.children, boxes, byId);
    const w = graph.params[n.weights]?.value ?? [];
    const A = n.kind === 'mixing' ? n.arity : inputs.length;
    let found: string | undefined;
    for (let u = 0; u < n.units && !found; u++) {
      const live: Box[] = [];
      for (let a = 0; a < A; a++) if (w[u * A + a] !== 0) live.push(inputs[n.kind === 'mixing' ? a * n.units + u : a] ?? new Map());
      for (let i = 0; i < live.length && !found; i++) {
        for (let j = i + 1; j < live.length && !found; j++) if (!disjoint(live[i]!, live[j]!)) found = `unit ${u}`;
      }
    }
    if (found) out.push(violation(n, `sum node ${n.id} is not known to be deterministic: in ${found}, two inputs with non-zero weight may both be non-zero on the same assignment`));
  }
  return out;
}

function disjoint(a: Box, b: Box): boolean {
  if (a === 'empty' || b === 'empty') return true;
  for (const [v, s] of a) {
    const t = b.get(v);
    if (t && ![...s].some((l) => t.has(l))) return true;
  }
  return false;
}

function concatBoxes(children: readonly string[], boxes: Map<string, Box[]>, byId: Map<string, IRNode>): Box[] {
  const out: Box[] = [];
  for (const c of children) {
    const b = boxes.get(c);
    const units = byId.get(c)?.units ?? 0;
    for (let u = 0; u < units; u++) out.push(b?.[u] ?? new Map());
  }
  return out;
}

/** Bottom-up support boxes of every unit of every node. */
export function supportBoxes(graph: IRGraph): Map<string, Box[]> {
  const byId = index(graph);
  const boxes = new Map<string, Box[]>();
  for (const n of graph.nodes) {
    let b: Box[];
    switch (n.kind) {
      case 'input':
        b = leafBoxes(graph, n);
        break;
      case 'product': {
        const kids = n.children.map((c) => ({ b: boxes.get(c) ?? [], units: byId.get(c)?.units ?? 1 }));
        b = Array.from({ length: n.units }, (_, u) => {
          let rest = u;
          const parts: Box[] = [];
          for (let c = kids.length - 1; c >= 0; c--) {
            const k = kids[c]!;
            const j = n.mode === 'hadamard' ? u : rest % k.units;
            rest = Math.floor(rest / k.units);
            parts.push(k.b[j] ?? new Map());
          }
          return intersect(parts);
        });
        break;
      }
      case 'sum':
      case 'mixing': {
        const inputs = concatBoxes(n.children, boxes, byId);
        const w = graph.params[n.weights]?.value ?? [];
        const A = n.kind === 'mixing' ? n.arity : inputs.length;
        b = Array.from({ length: n.units }, (_, u) => {
          const live: Box[] = [];
          for (let a = 0; a < A; a++) if (w[u * A + a] !== 0) live.push(inputs[n.kind === 'mixing' ? a * n.units + u : a] ?? new Map());
          return union(live);
        });
        break;
      }
      default:
        b = Array.from({ length: n.units }, () => new Map());
    }
    boxes.set(n.id, b);
  }
  return boxes;
}

function intersect(parts: Box[]): Box {
  const out = new Map<number, Set<number>>();
  for (const p of parts) {
    if (p === 'empty') return 'empty';
    for (const [v, s] of p) {
      const prev = out.get(v);
      const next = prev ? new Set([...s].filter((l) => prev.has(l))) : new Set(s);
      if (next.size === 0) return 'empty';
      out.set(v, next);
    }
  }
  return out;
}

function union(parts: Box[]): Box {
  const live = parts.filter((p): p is Map<number, Set<number>> => p !== 'empty');
  if (live.length === 0) return 'empty';
  const out = new Map<number, Set<number>>();
  for (const [v, s] of live[0]!) {
    if (live.every((p) => p.has(v))) out.set(v, new Set(live.flatMap((p) => [...p.get(v)!])));
  }
  return out;
}

/** Supports of leaves with a declared finite support (LeafFamily.finiteSupport); others unrestricted. */
function leafBoxes(graph: IRGraph, n: Extract<IRNode, { kind: 'input' }>): Box[] {
  const D = n.scope.length;
  const shared = new Set(n.shared ?? []);
  const levels = n.scope.map((v) => {
    const t = graph.vars[v]?.type;
    return t?.kind === 'categorical' ? t.levels.length : 2;
  });
  const family = getDistribution(n.dist);
  const values = Object.entries(n.params).map(([role, name]) => [role, graph.params[name]?.value] as const);
  const ctx = { dims: D, units: 1, variant: n.variant ?? '', levels };
  return Array.from({ length: n.units }, (_, u): Box => {
    const box = new Map<number, Set<number>>();
    if (!family?.finiteSupport || values.some(([, v]) => !v)) return box;
    // One unit's values of each role (a shared role has no units axis).
    const unit = Object.fromEntries(values.map(([role, v]) => {
      const size = shared.has(role) ? v!.length : v!.length / n.units;
      return [role, shared.has(role) ? v! : v!.slice(u * size, (u + 1) * size)];
    }));
    const support = family.finiteSupport(unit, ctx);
    if (!support) return box;
    for (let j = 0; j < D; j++) {
      if (support[j]!.length === 0) return 'empty';
      box.set(n.scope[j]!, new Set(support[j]));
    }
    return box;
  });
}
