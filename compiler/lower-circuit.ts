// Lowers `circuit { ... }` over a model's variables: reads the block (circuit-spec.ts),
// builds its region graph over the variables in their order, and lays the circuit's layers
// out in the IR (circuits/layers.ts). Input layers are ordinary leaf layers, lowered and
// type-checked like any leaf; without an `inputs` entry each variable gets the usual leaf of
// its type (Normal, Bernoulli, Categorical, Poisson).
import type { Arg, ModelExpr, Span } from '../language/index.js';
import { buildLayers } from '../circuits/layers.js';
import { chowLiu, linear, poonDomingos, quadTree, randomBinaryTree, validate, type RegionGraph } from '../circuits/region-graph/index.js';
import type { Value } from './constants.js';
import { readCircuitSpec, type CircuitSpec } from './circuit-spec.js';
import type { IRNode, IRParam, IRVariable } from '../ir/types.js';
import { big, src } from './lower-helpers.js';
import { defaultLeafFor } from '../stdlib/distributions/index.js';
import { buildPic } from '../circuits/integral/pic-layers.js';
import { NetPool, type Sharing } from '../circuits/integral/nets.js';
import { latentRef, lowerLatentLeaf, type IntegralHost } from './lower-integral.js';

/** Region graphs larger than this are refused before they are built. */
const MAX_REGIONS = 1_000_000;

export interface CircuitHost {
  readonly vars: readonly IRVariable[];
  /** The fit's data over the model's variables (rows x vars), when lowering for a fit. */
  readonly data?: { readonly x: Float64Array; readonly n: number };
  error(code: string, message: string, span: Span, hint?: string): undefined;
  value(a: Arg): Value | undefined;
  reserve(n: number, span: Span, what: string): boolean;
  nextId(): string;
  addNode(node: IRNode): void;
  addParam(p: IRParam): void;
  lowerLeaf(expr: Extract<ModelExpr, { kind: 'leaf' }>, scope: readonly number[], units: number): string | undefined;
  /** Lowering inside square(...): sum weights are real (signed). */
  readonly signed?: boolean;
  /** What integral circuits need: the host of integral lowering and a fresh prefix for latent names. */
  readonly integral: { readonly host: IntegralHost; pool(sharing: Sharing): NetPool; prefix(): string };
}

export function lowerCircuit(host: CircuitHost, expr: Extract<ModelExpr, { kind: 'circuit' }>, scope: readonly number[], units: number): string | undefined {
  const spec = readCircuitSpec(host, expr);
  if (!spec) return undefined;
  if (spec.real && !host.signed) {
    return host.error('bad-value', `sums with real (possibly negative) weights make a subtractive circuit, which must be squared to be a density: write square(circuit { ... })`, spec.sumSpan, 'wrap the circuit in square(...)');
  }
  const rg = regionGraph(host, spec, scope);
  if (!rg) return undefined;
  const problems = validate(rg);
  if (problems.length) return host.error('internal', `the ${spec.region.name} region graph is invalid: ${problems[0]}`, spec.region.span);
  if (spec.integral) return lowerIntegralCircuit(host, spec, rg, scope, units);
  return buildLayers(rg, { mode: spec.product, inputUnits: spec.inputUnits, sumUnits: spec.sumUnits, rootUnits: units, vars: scope, source: src(spec.span), signed: !!host.signed }, {
    nextId: () => host.nextId(),
    addNode: (n) => host.addNode(n),
    addParam: (p) => host.addParam(p),
    reserve: (n) => host.reserve(n, spec.sumSpan, `the circuit's layers`),
    input: (leafScope, u) => inputLayer(host, spec, leafScope, u),
  });
}

function regionGraph(host: CircuitHost, spec: CircuitSpec, scope: readonly number[]): RegionGraph | undefined {
  const V = scope.length;
  const local = scope.map((_, j) => j);
  const a = spec.region.args;
  const span = spec.region.span;
  switch (spec.region.name) {
    case 'random_tree': {
      const depth = (a.depth as number | undefined) ?? Math.max(1, Math.ceil(Math.log2(Math.max(V, 2))));
      const repeats = (a.repeats as number | undefined) ?? 1;
      // Refused before building: each repeat is a tree of about 2 min(V, 2^depth) regions.
      const regions = repeats * 2 * Math.min(V, 2 ** Math.min(depth, 60));
      if (regions > MAX_REGIONS) return host.error('too-big', `random_tree(depth = ${depth}, repeats = ${repeats}) over ${V} variables would build about ${big(regions)} regions; pmix builds at most ${big(MAX_REGIONS)}`, span, 'lower repeats');
      return randomBinaryTree(local, { depth, repeats, seed: (a.seed as number | undefined) ?? 0 });
    }
    case 'linear':
      return linear(local);
    case 'quad_tree':
    case 'poon_domingos': {
      const width = (a.width as number | undefined) ?? Math.round(Math.sqrt(V));
      if (width * Math.round(V / width) !== V) {
        return host.error('bad-value', `${spec.region.name} lays the ${V} variables out as an image ${width} wide, but ${V} is not a multiple of ${width}; give width = ...`, span);
      }
      const height = V / width;
      if (spec.region.name === 'quad_tree') return quadTree(height, width, a.arity ? { arity: a.arity as 2 | 4 } : {});
      return poonDomingos(height, width, { delta: (a.delta as number[] | undefined) ?? [Math.max(1, Math.floor(Math.min(height, width) / 2))] });
    }
    case 'chow_liu': {
      if (!host.data) {
        // Without data (checking a model as written) the structure is unknown; a chain stands
        // in so the rest of the circuit can be checked. Fitting always learns the tree.
        return linear(local);
      }
      const { x, n } = host.data;
      const infos = scope.map((v, j) => {
        const t = host.vars[v]!.type;
        return t.kind === 'real' ? { index: j, kind: 'real' as const, levels: 0 } : { index: j, kind: 'discrete' as const, levels: discreteLevels(t, x, n, host.vars.length, v) };
      });
      const xs = new Float64Array(n * V);
      const W = host.vars.length;
      for (let i = 0; i < n; i++) for (let j = 0; j < V; j++) xs[i * V + j] = x[i * W + scope[j]!]!;
      return chowLiu(xs, n, infos);
    }
  }
}

function discreteLevels(t: IRVariable['type'], x: Float64Array, n: number, W: number, v: number): number {
  if (t.kind === 'categorical') return t.levels.length;
  if (t.kind === 'bool') return 2;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const c = x[i * W + v]!;
    if (Number.isFinite(c) && c > max) max = c;
  }
  return Math.max(2, Math.floor(max) + 1);
}

/** The default leaf for a variable of this type: the registry's answer (LeafFamily.defaultFor). */
function defaultLeaf(t: IRVariable['type']): { readonly name: string; readonly variant?: string } {
  const leaf = defaultLeafFor(t);
  if (!leaf) throw new Error(`no leaf distribution declares itself the default for ${t.kind} variables`);
  return leaf;
}

function inputLayer(host: CircuitHost, spec: CircuitSpec, scope: readonly number[], units: number): string | undefined {
  if (spec.inputs) return host.lowerLeaf(spec.inputs, scope, units);
  // One input layer per leaf family among the region's variables, joined by a Hadamard product.
  const groups = new Map<string, { variant?: string; vs: number[] }>();
  for (const v of scope) {
    const fam = defaultLeaf(host.vars[v]!.type);
    const g = groups.get(fam.name) ?? { ...(fam.variant !== undefined ? { variant: fam.variant } : {}), vs: [] };
    g.vs.push(v);
    groups.set(fam.name, g);
  }
  const ids: string[] = [];
  for (const [fam, { variant, vs }] of groups) {
    const leaf: Extract<ModelExpr, { kind: 'leaf' }> = { kind: 'leaf', name: { name: fam, span: spec.span }, args: variant !== undefined ? [{ name: { name: variant, span: spec.span }, span: spec.span }] : [], hasParens: false, span: spec.span };
    const id = host.lowerLeaf(leaf, vs, units);
    if (id === undefined) return undefined;
    ids.push(id);
  }
  if (ids.length === 1) return ids[0];
  const id = host.nextId();
  host.addNode({ kind: 'product', id, mode: 'hadamard', children: ids, scope: [...scope].sort((a, b) => a - b), units, source: src(spec.span) });
  return id;
}

/** `circuit { ... integral ... }`: the region graph's integral circuit (circuits/integral/pic-layers.ts). */
function lowerIntegralCircuit(host: CircuitHost, spec: CircuitSpec, rg: RegionGraph, scope: readonly number[], units: number): string | undefined {
  const integral = spec.integral!;
  if (units !== 1) return host.error('unsupported', `an integral circuit is one density: it cannot be replicated by mixture(k) of ...`, spec.span);
  if (host.signed) return host.error('unsupported', `integral circuits cannot be squared`, integral.span);
  const ih = host.integral.host;
  const pool = host.integral.pool(integral.sharing);
  const prefix = host.integral.prefix();
  const source = src(integral.span);
  const built = buildPic(
    rg,
    { mode: spec.product, vars: scope, domain: integral.domain, quadrature: integral.quadrature, ref: (name) => latentRef(`${prefix}${name}`, name, integral.domain), source },
    {
      nextId: () => host.nextId(),
      addNode: (n) => host.addNode(n),
      input: (leafScope, latent) => {
        const ctx = { latent: { ...latent, written: latent.name }, pool, fallback: integral.net, group: 'in' };
        if (spec.inputs) return lowerLatentLeaf(ih, ctx, spec.inputs, leafScope);
        const ids: string[] = [];
        const groups = new Map<string, number[]>();
        for (const v of leafScope) {
          // The default family with its own defaults: integral inputs never took the circuit variant.
          const fam = defaultLeaf(host.vars[v]!.type).name;
          groups.set(fam, [...(groups.get(fam) ?? []), v]);
        }
        for (const [fam, vs] of groups) {
          const leaf: Extract<ModelExpr, { kind: 'leaf' }> = { kind: 'leaf', name: { name: fam, span: spec.span }, args: [], hasParens: false, span: spec.span };
          const id = lowerLatentLeaf(ih, ctx, leaf, vs);
          if (id === undefined) return undefined;
          ids.push(id);
        }
        if (ids.length === 1) return ids[0];
        const id = host.nextId();
        host.addNode({ kind: 'product', id, mode: 'hadamard', children: ids, scope: [...leafScope].sort((a, b) => a - b), units: 1, source });
        return id;
      },
      weights: (id, depth, latents) => {
        const name = `${id}.weights`;
        if (!host.reserve(NetPool.size(integral.net, latents.length, 1), integral.span, 'the nets of the integral circuit')) return undefined;
        const fn = pool.fn(integral.net, `sum.d${depth}`, name, latents.length, 1);
        host.addParam({ name, shape: [1], param: { kind: 'neural', output: 'simplex', fn, latents: latents.map((l) => ({ name: l.name, center: l.center, radius: l.radius })) }, value: [1], fixed: false, init: 'given', source });
        return name;
      },
    },
  );
  if (built.problem) return host.error('unsupported', built.problem, spec.region.span);
  return built.root;
}
