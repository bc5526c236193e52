// Region graph -> circuit layers in the IR. Every region becomes a layer of units: a leaf
// region is an input layer; an inner region's partitions become product layers whose
// outputs a sum layer mixes (hadamard: CP with the sum after the product; kronecker: Tucker),
// or, for collapsed CP, each product input gets its own sum first and several partitions are
// mixed by a mixing layer. The root region has `rootUnits` units (1 for a density).
import type { IRNode, IRParam, SourceRef } from '../ir/types.js';
import type { RegionGraph } from './region-graph/index.js';

export type LayerMode = 'hadamard' | 'kronecker' | 'cp';

export interface LayerBuilder {
  /** A fresh node id. */
  nextId(): string;
  addNode(node: IRNode): void;
  addParam(p: IRParam): void;
  /** The input layer of a leaf region over the (global) variables `scope`, with `units` units. */
  input(scope: readonly number[], units: number): string | undefined;
  /** Reserves n parameter values; false when the model grows too big (a diagnostic was given). */
  reserve(n: number): boolean;
}

export interface LayerSpec {
  readonly mode: LayerMode;
  readonly inputUnits: number;
  readonly sumUnits: number;
  readonly rootUnits: number;
  /** Local variable index (as in the region graph) -> the model's variable index. */
  readonly vars: readonly number[];
  readonly source?: SourceRef;
  /** Real (possibly negative) sum weights, for a circuit that is squared (`sum real`). */
  readonly signed?: boolean;
}

/** Builds the layers; returns the root node id, or undefined after a diagnostic. */
export function buildLayers(rg: RegionGraph, spec: LayerSpec, b: LayerBuilder): string | undefined {
  const weightKind = spec.signed ? ({ kind: 'signed' } as const) : ({ kind: 'simplex' } as const);
  const out = new Map<number, { id: string; units: number }>();
  const scopeOf = (local: readonly number[]): number[] => local.map((j) => spec.vars[j]!).sort((a, c) => a - c);
  const partsOf = new Map<number, number[][]>();
  for (const p of rg.partitions) {
    const list = partsOf.get(p.parent) ?? [];
    list.push([...p.children]);
    partsOf.set(p.parent, list);
  }

  const sum = (children: readonly { id: string; units: number }[], units: number, scope: number[]): { id: string; units: number } | undefined => {
    const I = children.reduce((s, c) => s + c.units, 0);
    if (!b.reserve(units * I)) return undefined;
    const id = b.nextId();
    const wName = `${id}.weights`;
    b.addParam({ name: wName, shape: [units, I], param: weightKind, value: new Array<number>(units * I).fill(1 / I), fixed: false, init: 'data', source: spec.source });
    b.addNode({ kind: 'sum', id, children: children.map((c) => c.id), weights: wName, scope, units, source: spec.source });
    return { id, units };
  };
  const product = (children: readonly { id: string; units: number }[], mode: 'hadamard' | 'kronecker', scope: number[]): { id: string; units: number } => {
    if (children.length === 1) return children[0]!;
    const units = mode === 'hadamard' ? children[0]!.units : children.reduce((s, c) => s * c.units, 1);
    const id = b.nextId();
    b.addNode({ kind: 'product', id, mode, children: children.map((c) => c.id), scope, units, source: spec.source });
    return { id, units };
  };
  // Hadamard products need equal widths: a leaf region narrower or wider than the sums is
  // first mapped to sumUnits by a sum layer of its own (made once per region).
  const widened = new Map<number, { id: string; units: number }>();
  const atWidth = (r: number, units: number): { id: string; units: number } | undefined => {
    const o = out.get(r)!;
    if (o.units === units) return o;
    const cached = widened.get(r);
    if (cached && cached.units === units) return cached;
    const s = sum([o], units, scopeOf(rg.regions[r]!.scope));
    if (s) widened.set(r, s);
    return s;
  };

  for (const region of rg.regions) {
    const scope = scopeOf(region.scope);
    const isRoot = region.id === rg.root;
    const target = isRoot ? spec.rootUnits : spec.sumUnits;
    const parts = partsOf.get(region.id) ?? [];
    if (parts.length === 0) {
      const id = b.input(scope, spec.inputUnits);
      if (id === undefined) return undefined;
      out.set(region.id, { id, units: spec.inputUnits });
      if (isRoot) {
        const s = sum([{ id, units: spec.inputUnits }], target, scope);
        if (!s) return undefined;
        out.set(region.id, s);
      }
      continue;
    }
    if (spec.mode === 'cp') {
      const hadamards: { id: string; units: number }[] = [];
      for (const kids of parts) {
        const projected: { id: string; units: number }[] = [];
        for (const c of kids) {
          const s = sum([out.get(c)!], target, scopeOf(rg.regions[c]!.scope));
          if (!s) return undefined;
          projected.push(s);
        }
        hadamards.push(product(projected, 'hadamard', scope));
      }
      if (hadamards.length === 1) {
        out.set(region.id, hadamards[0]!);
        continue;
      }
      if (!b.reserve(target * hadamards.length)) return undefined;
      const id = b.nextId();
      const wName = `${id}.weights`;
      b.addParam({ name: wName, shape: [target, hadamards.length], param: weightKind, value: new Array<number>(target * hadamards.length).fill(1 / hadamards.length), fixed: false, init: 'data', source: spec.source });
      b.addNode({ kind: 'mixing', id, arity: hadamards.length, children: hadamards.map((h) => h.id), weights: wName, scope, units: target, source: spec.source });
      out.set(region.id, { id, units: target });
      continue;
    }
    const products: { id: string; units: number }[] = [];
    for (const kids of parts) {
      if (spec.mode === 'hadamard') {
        const inputs: { id: string; units: number }[] = [];
        for (const c of kids) {
          const w = atWidth(c, spec.sumUnits);
          if (!w) return undefined;
          inputs.push(w);
        }
        products.push(product(inputs, 'hadamard', scope));
      } else {
        const kidsOut = kids.map((c) => out.get(c)!);
        const width = kidsOut.reduce((s, c) => s * c.units, 1);
        if (!b.reserve(width)) return undefined;
        products.push(product(kidsOut, 'kronecker', scope));
      }
    }
    const s = sum(products, target, scope);
    if (!s) return undefined;
    out.set(region.id, s);
  }
  return out.get(rg.root)?.id;
}
