// Lowers the squared (subtractive) model forms under one `square` node:
//   square(c)            p = c(x)^2 / Z,            Z = integral of c * c
//   sos(c_1, ..., c_r)   p = sum_r c_r(x)^2 / Z,    Z = sum_r integral of c_r * c_r
//   c_plus * square(c)   p = c+(x) c(x)^2 / Z,      Z = integral of c+ * c * c
// Every c is lowered with real (signed) sum and mixture weights; c+ is an ordinary monotone
// circuit. Each product is tractable when its circuits are structured-decomposable and
// compatible: the check builds the product circuits (circuits/squared/product.ts) and reports
// where one breaks on the offending circuit's region entry.
import type { ModelExpr, Span } from '../language/index.js';
import { IncompatibleCircuitsError, productSize, termName, termRoots, tupleCircuit } from '../circuits/squared/product.js';
import type { IRGraph, IRNode } from '../ir/types.js';
import { src } from './lower-helpers.js';

export interface SquareHost {
  error(code: string, message: string, span: Span, hint?: string): undefined;
  nextId(): string;
  addNode(node: IRNode): void;
  /** Lowers a model expression with signed weights. */
  lowerSigned(expr: ModelExpr, scope: readonly number[], units: number): string | undefined;
  /** Lowers a model expression as an ordinary (monotone) model. */
  lowerMonotone?(expr: ModelExpr, scope: readonly number[], units: number): string | undefined;
}

type SquareExpr = Extract<ModelExpr, { kind: 'square' }>;

export function lowerSquare(host: SquareHost, expr: SquareExpr, scope: readonly number[], units: number, atRoot: boolean): string | undefined {
  const what = expr.op === 'times' ? 'c_plus * square(c)' : `${expr.op}(...)`;
  if (!atRoot || units !== 1) {
    return host.error(
      'unsupported',
      `${what} makes a whole model: it cannot be a part of a mixture, product or circuit`,
      expr.span,
      `declare it as its own model: model S = ${what}` + (atRoot ? '' : "; `mixture(k = 3) of A * square(c)` reads as a mixture of (A * square(c)): name the monotone circuit (model A = mixture(k = 3) of Normal(diag)) and write model S = A * square(c)"),
    );
  }
  const sorted = [...scope].sort((a, b) => a - b);
  if (expr.op === 'times') {
    const inner = expr.parts[0];
    if (inner?.kind !== 'square' || inner.op !== 'square' || inner.parts.length !== 1) {
      return host.error('unsupported', `a monotone circuit multiplies one squared circuit: c_plus * square(c)${inner?.kind === 'square' && inner.op === 'sos' ? ' (not sos(...))' : ''}`, inner?.span ?? expr.span);
    }
    if (!host.lowerMonotone) return host.error('unsupported', 'c_plus * square(c) is not available here', expr.span);
    const monotone = host.lowerMonotone(expr.monotone!, scope, 1);
    if (monotone === undefined) return undefined;
    const child = host.lowerSigned(inner.parts[0]!, scope, 1);
    if (child === undefined) return undefined;
    const id = host.nextId();
    host.addNode({ kind: 'square', id, child, monotone, scope: sorted, units: 1, source: src(expr.span) });
    return id;
  }
  if (expr.op === 'square' && expr.parts.length !== 1) {
    return host.error('unsupported', `square(...) squares one circuit; for a sum of squares write sos(c1, ..., cr)`, expr.span);
  }
  const parts: string[] = [];
  for (const part of expr.parts) {
    const c = host.lowerSigned(part, scope, 1);
    if (c === undefined) return undefined;
    parts.push(c);
  }
  const id = host.nextId();
  host.addNode({ kind: 'square', id, child: parts[0]!, ...(expr.op === 'sos' ? { parts } : {}), scope: sorted, units: 1, source: src(expr.span) });
  return id;
}

/** The circuit expressions of a squared expression, in the order of the terms' roots (times: c+ then c). */
function circuits(expr: SquareExpr): ModelExpr[] {
  if (expr.op === 'times') {
    const inner = expr.parts[0];
    return [expr.monotone!, ...(inner?.kind === 'square' ? inner.parts : [])];
  }
  return [...expr.parts];
}

/**
 * Where the structure of a squared model's circuit is best reported: the region entry of the
 * circuit of term `term` (sos: c_term; times: c+), else that circuit, else the expression.
 */
export function structureSpan(expr: SquareExpr, term = 0, entry: 'region' | 'inputs' = 'region'): Span {
  const inner = circuits(expr)[expr.op === 'sos' ? term : 0];
  if (inner?.kind === 'circuit') return inner.entries.find((e) => e.key.name === entry)?.span ?? inner.entries.find((e) => e.key.name === 'region')?.span ?? inner.span;
  return inner?.span ?? expr.span;
}

/** Why a product of a squared graph is not tractable (and in which term), or the size of the products in units. */
export function squaredStructure(graph: IRGraph): { problem?: string; code?: IncompatibleCircuitsError['code']; term?: number; productUnits?: number } {
  const root = graph.nodes.find((n) => n.id === graph.root);
  if (root?.kind !== 'square') return { problem: 'the root of a squared model must be a square node' };
  let units = 0;
  const terms = termRoots(root);
  for (let t = 0; t < terms.length; t++) {
    try {
      units += productSize(tupleCircuit(graph, terms[t]!, termName(terms[t]!)));
    } catch (e) {
      if (e instanceof IncompatibleCircuitsError) return { problem: e.message, code: e.code, term: t };
      throw e;
    }
  }
  return { productUnits: units };
}
