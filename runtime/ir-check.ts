// Semantic checks of an IR graph read from an artifact, after its fields have the right JSON
// types: every node agrees with its children (units, scopes), every parameter has the shape,
// parameterization and values its distribution or mixing node expects. A graph that passes
// can be evaluated, conditioned and sampled without an exception from the runtime.
import { MAX_PARAMETER_VALUES } from '../compiler/cost.js';
import type { IRGraph, IRNode, IRParam, Parameterization } from '../ir/types.js';
import { paramValueProblem } from '../compiler/param-values.js';
import { squaredStructure } from '../compiler/lower-square.js';
import { getDistribution } from '../stdlib/distributions/index.js';
import { checkIntegralNode, checkMaterializes, checkNeuralParam } from './integral/ir-check-integral.js';
import type { LayerContext, ParamSpec } from '../stdlib/distributions/index.js';

type Fail = (field: string, message: string) => never;

const PARAM_KINDS = ['identity', 'positive', 'unit', 'simplex', 'signed', 'spd', 'bounded', 'neural'];

/**
 * The structural checks every graph passes, whatever its family; which family a graph is (and
 * that it is the one it names) is the family registry's check (session/load-artifact.ts).
 */
export function checkGraph(g: IRGraph, fail: Fail): void {
  const names = new Set<string>();
  g.vars.forEach((v, i) => {
    if (names.has(v.name)) fail(`ir.vars[${i}].name`, `variable '${v.name}' appears twice`);
    names.add(v.name);
    if (v.type.kind === 'categorical') {
      if (v.type.levels.length === 0) fail(`ir.vars[${i}].type.levels`, 'a categorical variable needs at least one level');
      if (new Set(v.type.levels).size !== v.type.levels.length) fail(`ir.vars[${i}].type.levels`, 'a level appears twice');
    }
  });
  let total = 0;
  for (const [name, p] of Object.entries(g.params)) {
    const at = `ir.params['${name}']`;
    total += p.value.length;
    if (total > MAX_PARAMETER_VALUES) fail(at, `the model has more than ${MAX_PARAMETER_VALUES} parameter values`);
    checkParameterization(p.param, `${at}.param`, fail);
    if (p.param.kind === 'neural') checkNeuralParam(g, p, `${at}.param`, fail);
    if (p.init !== undefined && p.init !== 'given' && p.init !== 'data') fail(`${at}.init`, "expected 'given' or 'data'");
    const problem = paramValueProblem(p.param, p.shape, p.value);
    if (problem) fail(`${at}.value`, problem);
  }
  const byId = new Map<string, IRNode>();
  const monotone = monotoneNodes(g);
  g.nodes.forEach((n, i) => {
    const at = `ir.nodes[${i}]`;
    if (byId.has(n.id)) fail(`${at}.id`, `node id '${n.id}' appears twice`);
    if (n.units < 1 || n.units > MAX_PARAMETER_VALUES) fail(`${at}.units`, `must be between 1 and ${MAX_PARAMETER_VALUES}`);
    if (new Set(n.scope).size !== n.scope.length) fail(`${at}.scope`, 'a variable appears twice');
    checkNode(g, n, at, byId, fail, monotone);
    byId.set(n.id, n);
  });
  const root = byId.get(g.root)!;
  if (root.units !== 1) fail('ir.root', `the root node must have 1 unit, not ${root.units}`);
  if (root.scope.length !== g.vars.length) fail('ir.root', `the root node covers ${root.scope.length} of the ${g.vars.length} variables`);
  if (g.nodes.some((n) => n.kind === 'integral')) checkMaterializes(g, fail);
}

/** Signed (real) weights belong to the circuits under a square root node: a squared model. */
function isSquared(g: IRGraph): boolean {
  return g.nodes.find((n) => n.id === g.root)?.kind === 'square';
}

/** The nodes of the monotone factor c+ of a squared graph c_plus * square(c) (their weights are simplex). */
function monotoneNodes(g: IRGraph): Set<string> {
  const out = new Set<string>();
  const root = g.nodes.find((n) => n.id === g.root);
  if (root?.kind !== 'square' || root.monotone === undefined) return out;
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const stack = [root.monotone];
  while (stack.length) {
    const id = stack.pop()!;
    const n = byId.get(id);
    if (!n || out.has(id)) continue;
    out.add(id);
    if ('children' in n && Array.isArray(n.children)) stack.push(...n.children);
  }
  return out;
}

function checkParameterization(p: Parameterization, at: string, fail: Fail): void {
  if (!PARAM_KINDS.includes(p.kind)) fail(`${at}.kind`, `unknown parameterization '${p.kind}'`);
  if (p.kind === 'bounded') {
    const { lower, upper } = p as { lower: unknown; upper: unknown };
    if (typeof lower !== 'number' || typeof upper !== 'number' || !Number.isFinite(lower) || !Number.isFinite(upper) || !(lower < upper)) {
      fail(at, 'bounded needs finite numbers lower < upper');
    }
  }
}

const sameSet = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x) => b.includes(x));

function checkNode(g: IRGraph, n: IRNode, at: string, byId: ReadonlyMap<string, IRNode>, fail: Fail, monotone: ReadonlySet<string> = new Set()): void {
  const kids = 'children' in n ? n.children.map((c) => byId.get(c)!) : [];
  const param = (name: string): IRParam => g.params[name]!;
  switch (n.kind) {
    case 'input':
      return checkInput(g, n, at, fail);
    case 'mixing': {
      if (!Number.isInteger(n.arity) || n.arity < 1) fail(`${at}.arity`, 'expected a positive integer');
      const units = kids.reduce((s, k) => s + k.units, 0);
      if (units !== n.arity * n.units) fail(`${at}.children`, `the children have ${units} units in all; a mixing node of arity ${n.arity} and ${n.units} units needs ${n.arity * n.units}`);
      kids.forEach((k, j) => sameSet(k.scope, n.scope) || fail(`${at}.children[${j}]`, 'a mixture component must cover the same variables as the mixture'));
      return checkWeights(param(n.weights), [n.units, n.arity], `${at}.weights`, fail, isSquared(g) && !monotone.has(n.id));
    }
    case 'sum': {
      const I = kids.reduce((s, k) => s + k.units, 0);
      kids.forEach((k, j) => sameSet(k.scope, n.scope) || fail(`${at}.children[${j}]`, 'a sum input must cover the same variables as the sum'));
      return checkWeights(param(n.weights), [n.units, I], `${at}.weights`, fail, isSquared(g) && !monotone.has(n.id));
    }
    case 'square': {
      const child = byId.get(n.child);
      if (!child) return fail(`${at}.child`, `'${n.child}' is not an earlier node`);
      if (g.root !== n.id) fail(at, 'a square node is the root of its graph (a squared model)');
      if (!sameSet(child.scope, n.scope) || child.units !== 1 || n.units !== 1) fail(`${at}.child`, 'the squared circuit must have one unit over the same variables');
      for (const [field, ids] of [['parts', n.parts ?? []], ['monotone', n.monotone === undefined ? [] : [n.monotone]]] as const) {
        ids.forEach((id, j) => {
          const c = byId.get(id);
          if (!c) fail(`${at}.${field}`, `'${id}' is not an earlier node`);
          else if (!sameSet(c.scope, n.scope) || c.units !== 1) fail(`${at}.${field}${field === 'parts' ? `[${j}]` : ''}`, 'every circuit of a squared model has one unit over all its variables');
        });
      }
      if (n.parts && n.parts[0] !== n.child) fail(`${at}.parts`, 'parts[0] must be the child');
      const { problem } = squaredStructure(g);
      if (problem) fail(at, problem);
      return;
    }
    case 'integral': {
      checkIntegralNode(n as unknown as Record<string, unknown>, at, fail);
      const child = byId.get(n.child);
      if (!child) return fail(`${at}.child`, `'${n.child}' is not an earlier node`);
      if (!sameSet(child.scope, n.scope)) fail(`${at}.child`, 'the integrand must cover the same variables as the integral');
      if (n.weights !== undefined) {
        const w = g.params[n.weights];
        if (!w || w.param.kind !== 'neural' || w.param.output !== 'simplex') fail(`${at}.weights`, 'expected a neural parameter with output simplex');
      }
      return;
    }
    case 'family':
      // Its family checks what its parameters and options mean (ModelFamily.checkGraph).
      // At the root, the node's owner is the graph's family: the one whose checkGraph and evaluators
      // read it. Below the root it is a part of a mixture (a KDE component), which the graph's
      // family checks through the part's hooks (families/common/parts.ts).
      const owner = n.family;
      if (owner !== g.family && n.id === g.root) fail(`${at}.family`, `a node of family '${owner}' in a graph of family '${g.family}'`);
      return;
    case 'product': {
      if (n.mode !== 'hadamard' && n.mode !== 'kronecker') fail(`${at}.mode`, "expected 'hadamard' or 'kronecker'");
      const units = n.mode === 'hadamard' ? n.units : kids.reduce((s, k) => s * k.units, 1);
      if (n.mode === 'hadamard' && kids.some((k) => k.units !== n.units)) fail(`${at}.children`, `every child of a hadamard product needs ${n.units} units`);
      if (units !== n.units) fail(`${at}.units`, `a kronecker product of these children has ${units} units`);
      const all = kids.flatMap((k) => k.scope);
      if (new Set(all).size !== all.length) fail(`${at}.children`, 'the parts of a product must cover disjoint variables');
      if (!sameSet(all, n.scope)) fail(`${at}.scope`, 'must be the union of the children scopes');
      return;
    }
  }
}

function checkWeights(p: IRParam, shape: readonly number[], at: string, fail: Fail, signed = false): void {
  if (p.shape.length !== 2 || p.shape[0] !== shape[0] || p.shape[1] !== shape[1]) fail(at, `parameter '${p.name}' must have shape [${shape.join(', ')}], not [${p.shape.join(', ')}]`);
  if (signed ? p.param.kind !== 'signed' : p.param.kind !== 'simplex') fail(at, `parameter '${p.name}' must be ${signed ? "signed (the graph is a squared circuit)" : 'a simplex'}`);
}

function checkInput(g: IRGraph, n: Extract<IRNode, { kind: 'input' }>, at: string, fail: Fail): void {
  const fam = getDistribution(n.dist)!;
  const variant = n.variant ?? '';
  if (n.variant !== undefined && typeof n.variant !== 'string') fail(`${at}.variant`, 'expected a string');
  if (fam.variants.length ? variant !== '' && !fam.variants.includes(variant) : variant !== '') fail(`${at}.variant`, `${fam.name} has no variant '${variant}'`);
  const badVar = n.scope.find((i) => !fam.accepts(g.vars[i]!.type));
  if (badVar !== undefined) fail(`${at}.scope`, `${fam.name} cannot model '${g.vars[badVar]!.name}' (${g.vars[badVar]!.type.kind})`);
  const levels = n.scope.map((i) => {
    const t = g.vars[i]!.type;
    return t.kind === 'categorical' ? t.levels.length : t.kind === 'bool' ? 2 : 0;
  });
  const ctx: LayerContext = { dims: n.scope.length, units: n.units, variant, levels };
  const specs: ParamSpec[] = fam.paramSpecs(ctx);
  const roles = Object.keys(n.params);
  for (const spec of specs) {
    if (!roles.includes(spec.role)) fail(`${at}.params`, `${fam.name} needs a parameter for '${spec.role}'`);
    const p = g.params[n.params[spec.role]!]!;
    const shape = spec.shape;
    if (p.shape.length !== shape.length || p.shape.some((s, i) => s !== shape[i])) {
      fail(`${at}.params.${spec.role}`, `parameter '${p.name}' must have shape [${shape.join(', ')}], not [${p.shape.join(', ')}]`);
    }
    const kind = p.param.kind === 'neural' ? p.param.output : p.param.kind;
    if (kind !== spec.param.kind && !(kind === 'bounded' && ['identity', 'positive', 'unit', 'spd'].includes(spec.param.kind))) {
      fail(`${at}.params.${spec.role}`, `parameter '${p.name}' must be ${spec.param.kind}, not ${kind}`);
    }
    // A bounded role still needs values in its natural domain (a variance > 0).
    const problem = kind === 'bounded' ? paramValueProblem(spec.param, shape, p.value) : undefined;
    if (problem) fail(`${at}.params.${spec.role}`, problem);
    if (!!spec.shared !== !!n.shared?.includes(spec.role)) fail(`${at}.shared`, `'${spec.role}' ${spec.shared ? 'is' : 'is not'} shared by all units for ${fam.name}`);
  }
  const extra = roles.find((r) => !specs.some((s) => s.role === r));
  if (extra) fail(`${at}.params.${extra}`, `${fam.name} has no parameter '${extra}'`);
}
