// Region graph -> integral circuit (the RG -> PIC construction of Gala et al. 2024): every
// inner region introduces a continuous latent; its partition's child regions are functions of
// that latent, and the region is the integral over it of w(parent latent, latent) times the
// product of its children. Leaf regions are input units whose parameters are functions of the
// latent above them. Product layers as for circuits: hadamard (the children share one latent),
// kronecker (one latent per child, integrated jointly: Tucker), cp (each child integrated on its
// own, then multiplied). Quadrature with K points then gives the circuit of K units per region
// that circuits/layers.ts would build. Needs a tree: one partition per region.
import type { IRNode, LatentVar, SourceRef } from '../../ir/types.js';
import type { RegionGraph } from '../region-graph/index.js';

export interface PicRef {
  readonly name: string;
  readonly center: number;
  readonly radius: number;
}

export interface PicSpec {
  readonly mode: 'hadamard' | 'kronecker' | 'cp';
  /** Local variable index (as in the region graph) -> the model's variable index. */
  readonly vars: readonly number[];
  readonly domain: LatentVar['domain'];
  readonly quadrature: LatentVar['quadrature'];
  /** The net input scaling of a latent of this domain. */
  ref(name: string): PicRef;
  readonly source?: SourceRef;
}

export interface PicBuilder {
  nextId(): string;
  addNode(node: IRNode): void;
  /** An input node over `scope` whose parameters read `latent`. */
  input(scope: readonly number[], latent: PicRef): string | undefined;
  /** The weight function of the integral `id` at `depth`, reading `latents` (the given one first); undefined on error. */
  weights(id: string, depth: number, latents: readonly PicRef[]): string | undefined;
}

/** Builds the integral circuit; returns the root id, or a problem (a region with several partitions). */
export function buildPic(rg: RegionGraph, spec: PicSpec, b: PicBuilder): { root?: string; problem?: string } {
  const parts = new Map<number, number[][]>();
  for (const p of rg.partitions) parts.set(p.parent, [...(parts.get(p.parent) ?? []), [...p.children]]);
  for (const [r, ps] of parts) {
    if (ps.length > 1) return { problem: `region ${r} has ${ps.length} partitions; an integral circuit is built on a tree region graph (quad_tree, random_tree with repeats = 1, linear, chow_liu)` };
  }
  const scopeOf = (r: number): number[] => rg.regions[r]!.scope.map((j) => spec.vars[j]!).sort((a, c) => a - c);
  let fail = false;
  let latents = 0;
  const fresh = (): PicRef => spec.ref(`z${latents++}`);
  const latentVar = (z: PicRef): LatentVar => ({ name: z.name, domain: spec.domain, quadrature: spec.quadrature });

  const integral = (zs: readonly PicRef[], given: PicRef | undefined, child: string | undefined, scope: number[], depth: number): string | undefined => {
    if (child === undefined) return undefined;
    const id = b.nextId();
    const w = b.weights(id, depth, given ? [given, ...zs] : zs);
    if (w === undefined) {
      fail = true;
      return undefined;
    }
    b.addNode({ kind: 'integral', id, scope, units: 1, latents: zs.map(latentVar), ...(given ? { given: given.name } : {}), child, weights: w, ...(spec.source ? { source: spec.source } : {}) });
    return id;
  };
  const product = (children: readonly (string | undefined)[], mode: 'hadamard' | 'kronecker', scope: number[]): string | undefined => {
    if (children.some((c) => c === undefined)) return undefined;
    if (children.length === 1) return children[0];
    const id = b.nextId();
    b.addNode({ kind: 'product', id, mode, children: children as string[], scope, units: 1, ...(spec.source ? { source: spec.source } : {}) });
    return id;
  };

  /** The region as a function of `given` (absent at the root). */
  const build = (r: number, given: PicRef | undefined, depth: number): string | undefined => {
    if (fail) return undefined;
    const scope = scopeOf(r);
    const ps = parts.get(r);
    if (!ps) {
      if (given) return b.input(scope, given);
      const z = fresh();
      return integral([z], undefined, b.input(scope, z), scope, depth);
    }
    const kids = ps[0]!;
    switch (spec.mode) {
      case 'hadamard': {
        const z = fresh();
        return integral([z], given, product(kids.map((c) => build(c, z, depth + 1)), 'hadamard', scope), scope, depth);
      }
      case 'kronecker': {
        const zs = kids.map(() => fresh());
        return integral(zs, given, product(kids.map((c, i) => build(c, zs[i]!, depth + 1)), 'kronecker', scope), scope, depth);
      }
      case 'cp': {
        if (!given) {
          // The top needs a latent for its children to share, else they would be independent.
          const z = fresh();
          return integral([z], undefined, build(r, z, depth), scope, depth);
        }
        return product(
          kids.map((c) => {
            const z = fresh();
            return integral([z], given, build(c, z, depth + 1), scopeOf(c), depth);
          }),
          'hadamard',
          scope,
        );
      }
    }
  };
  const root = build(rg.root, undefined, 0);
  return fail || root === undefined ? {} : { root };
}
