// Lowers `chow_liu(alpha = 1)`: the classic Chow-Liu tree over the model's discrete variables
// (circuits/chow-liu). With the fit's rows at hand the tree and its tables are learned from
// them (what `pmix check` shows); without data a chain with uniform tables stands in. The fit
// itself (families/chow-liu) learns both again from the weighted rows.
import { freeze } from 'immer';
import type { Diagnostic, ModelExpr, Span } from '../language/index.js';
import { suggestionHint } from '../language/index.js';
import { chainStructure, chowLiuGraph, chowLiuLevels, chowLiuStructure, conditionalTables } from '../circuits/chow-liu/index.js';
import type { IRGraph, IRVariable } from '../ir/types.js';
import { ConstantScope } from './constants.js';
import { describeType, src } from './lower-helpers.js';
import type { CompiledProgram } from './program.js';

export const CHOW_LIU_MODEL = 'chow_liu';
/** Laplace's pseudo-count: one per cell of every table. */
export const DEFAULT_ALPHA = 1;

export function lowerChowLiu(
  program: CompiledProgram,
  body: Extract<ModelExpr, { kind: 'leaf' }>,
  vars: readonly IRVariable[],
  data?: { readonly x: Float64Array; readonly n: number },
): { graph?: IRGraph; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const error = (message: string, span: Span, hint?: string, code = 'bad-value'): void => {
    diagnostics.push({ severity: 'error', code, message, span, file: program.file, ...(hint ? { hint } : {}) });
  };
  const consts = new ConstantScope(program.file);
  for (const [k, v] of program.constants) consts.define(k, v);
  let alpha = DEFAULT_ALPHA;
  for (const a of body.args) {
    if (a.name.name !== 'alpha') {
      error(`chow_liu has no parameter '${a.name.name}' (it has alpha, the pseudo-count added to every cell of the tables)`, a.name.span, suggestionHint(a.name.name, ['alpha']), 'unknown-argument');
      continue;
    }
    if (a.fixed || a.bounds) error(`alpha is a setting of the fit: 'fixed' and bounds do not apply`, a.span);
    if (!a.value) {
      error(`write alpha = a number >= 0, e.g. alpha = 1`, a.span);
      continue;
    }
    const v = consts.evaluate(a.value, diagnostics);
    if (v === undefined) continue;
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) error(`alpha must be a finite number >= 0 (a pseudo-count per table cell), got ${JSON.stringify(v)}`, a.value.span);
    else alpha = v;
  }
  if (vars.length === 0) error(`chow_liu needs at least one variable`, body.span);
  for (const v of vars) {
    if (chowLiuLevels(v.type) === undefined) {
      error(`chow_liu models discrete variables (bool, categorical, or int columns of 0/1), but '${v.name}' is ${describeType(v.type)}`, body.name.span, `leave '${v.name}' out of the model's variables, or declare it categorical`, 'type-mismatch');
    }
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  const levels = vars.map((v) => chowLiuLevels(v.type)!);
  const d = data ? { x: data.x, n: data.n, levels } : undefined;
  // Values outside a variable's levels are the fit's to report (with row and column); the
  // structure here is learned from the rows that are in range.
  const clean = d && !inRange(d.x, levels) ? { ...d, x: d.x.map((c, k) => (Number.isInteger(c) && c >= 0 && c < levels[k % levels.length]! ? c : NaN)) } : d;
  const tree = clean ? chowLiuStructure(clean) : chainStructure(vars.length);
  const tables = clean ? conditionalTables(clean, tree, alpha) : conditionalTables({ x: new Float64Array(0), n: 0, levels }, tree, 1);
  return { graph: freeze(chowLiuGraph(vars, tree, tables, alpha, src(body.span)), true), diagnostics };
}

function inRange(x: Float64Array, levels: readonly number[]): boolean {
  const D = levels.length;
  for (let k = 0; k < x.length; k++) {
    const c = x[k]!;
    if (!Number.isNaN(c) && !(Number.isInteger(c) && c >= 0 && c < levels[k % D]!)) return false;
  }
  return true;
}
