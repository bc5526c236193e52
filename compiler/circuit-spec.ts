// Reads the entries of a `circuit { ... }` block into a checked specification: which region
// graph, which input leaves, how many units, which sum-product layer. Every problem is a
// diagnostic on the entry (or argument) that causes it.
import type { Arg, CircuitEntry, ModelExpr, Span } from '../language/index.js';
import { suggestionHint } from '../language/index.js';
import type { Value } from './constants.js';
import { show } from './lower-helpers.js';
import type { LatentVar } from '../ir/types.js';
import { SHARINGS, type NetSpec, type Sharing } from '../circuits/integral/nets.js';
import { MAX_POINTS } from '../stdlib/quadrature/index.js';
import { readNetArgs, RULES } from './lower-integral.js';
import { own } from '../stdlib/own.js';

export const REGION_GRAPHS = ['random_tree', 'quad_tree', 'chow_liu', 'linear', 'poon_domingos'] as const;
export type RegionGraphName = (typeof REGION_GRAPHS)[number];

/**
 * hadamard: a product of equal-width regions, then a sum (cirkit's CP-transposed layer);
 * kronecker: the outer product, then a sum (Tucker); cp: a sum on each input, then the
 * Hadamard product (collapsed CP).
 */
export const PRODUCT_MODES = ['hadamard', 'kronecker', 'cp'] as const;
export type ProductMode = (typeof PRODUCT_MODES)[number];

const KEYS = ['region', 'inputs', 'sum', 'product', 'integral', 'net', 'sharing'] as const;

/** Arguments each region graph takes, with the check of each value. */
const REGION_ARGS: Record<RegionGraphName, readonly string[]> = {
  random_tree: ['depth', 'repeats', 'seed'],
  quad_tree: ['width', 'arity'],
  chow_liu: [],
  linear: [],
  poon_domingos: ['width', 'delta'],
};

export interface CircuitSpec {
  readonly region: { readonly name: RegionGraphName; readonly args: Readonly<Record<string, number | number[]>>; readonly span: Span };
  /** The input leaf (a leaf expression without `units`), or undefined to pick one per variable type. */
  readonly inputs?: Extract<ModelExpr, { kind: 'leaf' }>;
  readonly inputUnits: number;
  readonly sumUnits: number;
  readonly product: ProductMode;
  /** `sum real(...)`: real, possibly negative weights (only inside square(...)). */
  readonly real: boolean;
  readonly sumSpan: Span;
  readonly span: Span;
  /** An integral circuit: every region's units are a latent's quadrature points. */
  readonly integral?: {
    readonly domain: LatentVar['domain'];
    readonly quadrature: LatentVar['quadrature'];
    readonly net: NetSpec;
    readonly sharing: Sharing;
    readonly span: Span;
  };
}

export interface SpecHost {
  error(code: string, message: string, span: Span, hint?: string): undefined;
  value(a: Arg): Value | undefined;
}

const DEFAULT_UNITS = 8;

export function readCircuitSpec(host: SpecHost, expr: Extract<ModelExpr, { kind: 'circuit' }>): CircuitSpec | undefined {
  let ok = true;
  const seen = new Map<string, CircuitEntry>();
  for (const e of expr.entries) {
    const key = e.key.name;
    if (!(KEYS as readonly string[]).includes(key)) {
      ok = !!host.error('unknown-argument', `a circuit has no entry '${key}' (its entries are ${KEYS.join(', ')})`, e.key.span, suggestionHint(key, KEYS));
    } else if (seen.has(key)) {
      ok = !!host.error('duplicate-name', `the circuit gives '${key}' twice`, e.key.span);
    } else seen.set(key, e);
  }
  if (!ok) return undefined;

  const region = readRegion(host, seen.get('region'), expr.span);
  const sum = readSum(host, seen.get('sum'), expr.span);
  const product = readProduct(host, seen.get('product'));
  const inputs = readInputs(host, seen.get('inputs'), sum?.units);
  if (!region || !sum || !product || !inputs) return undefined;
  const integral = readIntegral(host, seen);
  if (integral === null) return undefined;
  if (integral) {
    const sumEntry = seen.get('sum');
    if (sumEntry) return host.error('bad-value', `an integral circuit has one unit per quadrature point: drop the sum entry and give integral ...(points = K)`, sumEntry.span);
    const units = seen.get('inputs')?.args.find((a) => a.name.name === 'units');
    if (units) return host.error('bad-value', `an integral circuit's input units are its quadrature points: drop units`, units.span);
  } else {
    for (const k of ['net', 'sharing'] as const) {
      const e = seen.get(k);
      if (e) return host.error('bad-value', `${k} sets the nets of an integral circuit; add an integral entry, e.g. integral gauss_legendre(points = 16)`, e.span);
    }
  }
  return { region, inputs: inputs.leaf, inputUnits: inputs.units, sumUnits: sum.units, product, real: sum.real, sumSpan: sum.span, span: expr.span, ...(integral ? { integral } : {}) };
}


/** `integral RULE(points = K, eval_points = K2, lower = a, upper = b)`, `net mlp(...)`, `sharing MODE`; null after a diagnostic. */
function readIntegral(host: SpecHost, seen: Map<string, CircuitEntry>): CircuitSpec['integral'] | null | undefined {
  const e = seen.get('integral');
  if (!e) return undefined;
  const ruleName = e.name?.name ?? 'gauss_legendre';
  const rule = own(RULES, ruleName);
  if (!rule) {
    const hint = (KEYS as readonly string[]).includes(ruleName) ? `'${ruleName}' was read as the rule: name the rule before the next entry, e.g. integral gauss_legendre(points = 16)` : suggestionHint(ruleName, Object.keys(RULES));
    return host.error('unknown-name', `unknown quadrature rule '${ruleName}' (pmix has ${Object.keys(RULES).join(', ')})`, e.name!.span, hint) ?? null;
  }
  let points = 16;
  let evalPoints: number | undefined;
  let lower = -1;
  let upper = 1;
  for (const a of e.args) {
    const k = a.name.name;
    if (k === 'points' || k === 'eval_points') {
      const v = positiveInt(host, a, `integral ${k}`, rule === 'trapezoid' ? 2 : 1);
      if (v === undefined) return null;
      if (v > MAX_POINTS) return host.error('bad-value', `integral ${k} is at most ${MAX_POINTS}, got ${v}`, a.span) ?? null;
      if (k === 'points') points = v;
      else evalPoints = v;
    } else if ((k === 'lower' || k === 'upper') && rule !== 'gauss-hermite') {
      const v = host.value(a);
      if (v === undefined) return null;
      if (typeof v !== 'number' || !Number.isFinite(v)) return host.error('bad-value', `integral ${k} must be a finite number, got ${show(v)}`, a.span) ?? null;
      if (k === 'lower') lower = v;
      else upper = v;
    } else {
      const allowed = rule === 'gauss-hermite' ? ['points', 'eval_points'] : ['points', 'eval_points', 'lower', 'upper'];
      return host.error('unknown-argument', `integral ${ruleName} takes ${allowed.join(', ')}, not '${k}'${rule === 'gauss-hermite' ? ' (its latent is standard normal)' : ''}`, a.name.span, suggestionHint(k, allowed)) ?? null;
    }
  }
  if (!(lower < upper)) return host.error('bad-value', `the latent's interval needs lower < upper, got [${lower}, ${upper}]`, e.span) ?? null;
  const net = readNetEntry(host, seen.get('net'));
  if (!net) return null;
  const sh = seen.get('sharing');
  let sharing: Sharing = 'composite';
  if (sh) {
    const m = sh.name?.name;
    if (!m || !(SHARINGS as readonly string[]).includes(m) || sh.args.length || sh.hasParens) return host.error('bad-value', `sharing is one of ${SHARINGS.join(', ')}, e.g. sharing composite`, sh.span, m ? suggestionHint(m, SHARINGS) : undefined) ?? null;
    sharing = m as Sharing;
  }
  const domain: LatentVar['domain'] = rule === 'gauss-hermite' ? { kind: 'normal' } : { kind: 'interval', lower, upper };
  return { domain, quadrature: { rule, points, ...(evalPoints !== undefined ? { evalPoints } : {}) }, net, sharing, span: e.span };
}

function readNetEntry(host: SpecHost, e: CircuitEntry | undefined): NetSpec | undefined {
  const base: NetSpec = { hidden: 32, layers: 2, activation: 'sin' };
  if (!e) return base;
  if (e.name && e.name.name !== 'mlp') return host.error('unknown-name', `net is mlp(hidden = H, layers = L, activation = tanh | relu | sin)`, e.name.span, suggestionHint(e.name.name, ['mlp']));
  const bad = e.args.find((a) => a.fixed || a.bounds);
  if (bad) return host.error('bad-value', `a net's sizes are structure: 'fixed' and bounds do not apply`, bad.span);
  return readNetArgs({ error: (c, m, sp, h) => host.error(c, m, sp, h), evaluate: (x) => host.value({ name: { name: 'net', span: x.span }, value: x, span: x.span }) }, e.args, base);
}

function positiveInt(host: SpecHost, a: Arg, what: string, min = 1): number | undefined {
  const v = host.value(a);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) return host.error('bad-value', `${what} must be an integer >= ${min}, got ${show(v)}`, a.value?.span ?? a.span);
  if (a.fixed || a.bounds) return host.error('bad-value', `${what} is a structure size: 'fixed' and bounds do not apply`, a.span);
  return v;
}

function readRegion(host: SpecHost, e: CircuitEntry | undefined, span: Span): CircuitSpec['region'] | undefined {
  if (!e) return { name: 'random_tree', args: {}, span };
  if (!e.name) return host.error('bad-value', `region needs a region graph, e.g. region quad_tree(width = 8); one of ${REGION_GRAPHS.join(', ')}`, e.span);
  const name = e.name.name;
  if (!(REGION_GRAPHS as readonly string[]).includes(name)) {
    return host.error('unknown-name', `unknown region graph '${name}' (pmix has ${REGION_GRAPHS.join(', ')})`, e.name.span, suggestionHint(name, REGION_GRAPHS));
  }
  const rg = name as RegionGraphName;
  const allowed = REGION_ARGS[rg];
  const args: Record<string, number | number[]> = {};
  let ok = true;
  for (const a of e.args) {
    const an = a.name.name;
    if (!allowed.includes(an)) {
      ok = !!host.error('unknown-argument', `${rg} takes ${allowed.length ? allowed.join(', ') : 'no arguments'}, not '${an}'`, a.name.span, suggestionHint(an, allowed));
      continue;
    }
    if (an === 'delta') {
      const v = host.value(a);
      const list = typeof v === 'number' ? [v] : Array.isArray(v) ? v : undefined;
      if (!list || !list.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 1)) ok = !!host.error('bad-value', `delta must be a positive integer or a list of them, e.g. delta = [2, 4]`, a.span);
      else args[an] = list as number[];
      continue;
    }
    const v = positiveInt(host, a, `${rg}'s ${an}`, an === 'seed' ? 0 : 1);
    if (v === undefined) ok = false;
    else if (an === 'arity' && v !== 2 && v !== 4) ok = !!host.error('bad-value', `quad_tree's arity is 2 (halves) or 4 (quadrants), got ${v}`, a.span);
    else args[an] = v;
  }
  return ok ? { name: rg, args, span: e.span } : undefined;
}

function readSum(host: SpecHost, e: CircuitEntry | undefined, span: Span): { units: number; span: Span; real: boolean } | undefined {
  if (!e) return { units: DEFAULT_UNITS, span, real: false };
  if (e.name && e.name.name !== 'real') return host.error('unknown-argument', `sum takes (units = U) or real(units = U), not '${e.name.name}'`, e.name.span);
  let units = DEFAULT_UNITS;
  for (const a of e.args) {
    if (a.name.name !== 'units') return host.error('unknown-argument', `sum takes units, not '${a.name.name}'`, a.name.span, suggestionHint(a.name.name, ['units']));
    const v = positiveInt(host, a, 'sum units');
    if (v === undefined) return undefined;
    units = v;
  }
  return { units, span: e.span, real: e.name?.name === 'real' };
}

function readProduct(host: SpecHost, e: CircuitEntry | undefined): ProductMode | undefined {
  if (!e) return 'hadamard';
  if (e.args.length > 0 || e.hasParens) return host.error('bad-value', `product takes a layer type only: product ${PRODUCT_MODES.join(' | ')}`, e.span);
  if (!e.name) return host.error('bad-value', `product needs a layer type: ${PRODUCT_MODES.join(', ')}`, e.span);
  const m = e.name.name;
  if (!(PRODUCT_MODES as readonly string[]).includes(m)) {
    const hint = m === 'tucker' ? `Tucker layers are product kronecker` : suggestionHint(m, PRODUCT_MODES);
    return host.error('unknown-name', `unknown product layer '${m}' (pmix has ${PRODUCT_MODES.join(', ')})`, e.name.span, hint);
  }
  return m as ProductMode;
}

function readInputs(host: SpecHost, e: CircuitEntry | undefined, sumUnits: number | undefined): { leaf?: Extract<ModelExpr, { kind: 'leaf' }>; units: number } | undefined {
  const fallback = sumUnits ?? DEFAULT_UNITS;
  if (!e) return { units: fallback };
  let units = fallback;
  const rest: Arg[] = [];
  for (const a of e.args) {
    if (a.name.name === 'units') {
      const v = positiveInt(host, a, 'input units');
      if (v === undefined) return undefined;
      units = v;
    } else rest.push(a);
  }
  if (!e.name) {
    if (rest.length) return host.error('bad-value', `inputs needs a distribution before its arguments, e.g. inputs Normal(units = 8)`, e.span);
    return { units };
  }
  return { leaf: { kind: 'leaf', name: e.name, args: rest, hasParens: e.hasParens, span: e.span }, units };
}
