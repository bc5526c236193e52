// Removes nodes that compute nothing (IR -> IR): a mixing node of arity 1 (its weights are all
// 1) and a product of a single child. Parents are pointed at the surviving child.
import { castDraft, produce } from 'immer';
import type { IRGraph, IRNode } from '../../ir/types.js';

export function simplify(graph: IRGraph): IRGraph {
  const replace = new Map<string, string>();
  const resolve = (id: string): string => {
    let r = id;
    while (replace.has(r)) r = replace.get(r)!;
    return r;
  };
  const kept: IRNode[] = [];
  const dropped: string[] = [];
  for (const node of graph.nodes) {
    const trivialMix = node.kind === 'mixing' && node.arity === 1 && node.children.length === 1;
    const trivialProduct = node.kind === 'product' && node.children.length === 1;
    if (trivialMix || trivialProduct) {
      replace.set(node.id, resolve(node.children[0]!));
      if (node.kind === 'mixing') dropped.push(node.weights);
      continue;
    }
    kept.push(node);
  }
  if (replace.size === 0) return graph;
  return produce(graph, (g) => {
    g.nodes = castDraft(
      kept.map((n) => {
        if ('children' in n) return { ...n, children: n.children.map(resolve) };
        if (n.kind === 'square') return { ...n, child: resolve(n.child), ...(n.parts ? { parts: n.parts.map(resolve) } : {}), ...(n.monotone !== undefined ? { monotone: resolve(n.monotone) } : {}) };
        if ('child' in n) return { ...n, child: resolve(n.child) };
        return n;
      }),
    );
    g.root = resolve(graph.root);
    for (const w of dropped) delete g.params[w];
  });
}
