// Lowers `kde(kernel = gaussian, bandwidth = scott, ...)` to a graph of one `family` node
// (ir FamilyNode, family 'kde'). Before a fit the node holds the options only; the fit adds
// the training points, their weights and the resolved bandwidth as fixed parameters
// (fitted-graph.ts). Every bad argument is a diagnostic on its span.
import { freeze } from 'immer';
import { asNumeric, ConstantScope } from '../../compiler/constants.js';
import type { CompiledProgram } from '../../compiler/program.js';
import { IR_VERSION, type IRGraph, type IRVariable } from '../../ir/types.js';
import type { Arg, Diagnostic, Expr, ModelExpr, Span } from '../../language/index.js';
import { suggestionHint } from '../../language/index.js';
import { KERNEL_NAMES } from './kernels.js';

export const KDE_NAME = 'kde';
export const RULES = ['scott', 'silverman', 'normal_reference'] as const;
const ARGS = ['kernel', 'bandwidth', 'form', 'atol', 'rtol', 'tree_above', 'max_points', 'seed'] as const;
const CV_ARGS = ['grid', 'folds', 'scale', 'seed'] as const;
/** Default largest number of training points a fit stores (and an artifact saves); above, a seeded subsample. */
export const MAX_POINTS = 200_000;
/** Default size (training points x query rows) above which log densities take the kd-tree. */
export const TREE_ABOVE = 1e8;

export type KdeOptions = Record<string, string | number | boolean | readonly number[]>;

export const claimsKde = (body: ModelExpr): boolean => body.kind === 'leaf' && body.name.name === KDE_NAME;

export function lowerKde(program: CompiledProgram, body: ModelExpr, vars: readonly IRVariable[]): { graph?: IRGraph; diagnostics: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  if (body.kind !== 'leaf') return { diagnostics: diags };
  const err = (message: string, span: Span, hint?: string, code = 'bad-value'): void => {
    diags.push({ severity: 'error', code, message, span, file: program.file, ...(hint ? { hint } : {}) });
  };
  const scope = new ConstantScope(program.file);
  for (const [k, v] of program.constants) scope.define(k, v);
  const number = (e: Expr): number | undefined => {
    const v = scope.evaluate(e, diags);
    return typeof v === 'number' ? v : undefined;
  };
  const options: KdeOptions = { kernel: 'gaussian', form: 'radial', bandwidth: 'scott' };
  const realCount = vars.filter((v) => v.type.kind === 'real' || v.type.kind === 'int').length;
  const seen = new Set<string>();
  for (const a of body.args) {
    const name = a.name.name;
    if (!(ARGS as readonly string[]).includes(name)) {
      err(`kde has no argument '${name}' (it takes ${ARGS.join(', ')})`, a.name.span, suggestionHint(name, ARGS), 'unknown-argument');
      continue;
    }
    if (seen.has(name)) err(`'${name}' is given twice`, a.name.span);
    seen.add(name);
    if (!a.value) {
      err(`'${name}' needs a value: ${name} = ...`, a.span);
      continue;
    }
    if (a.bounds || a.fixed) err(`kde's '${name}' takes a value, not bounds or 'fixed' (a KDE learns nothing but its bandwidth)`, a.span);
    const e = a.value;
    if (name === 'kernel' || name === 'form') {
      const word = e.kind === 'name' ? e.name : e.kind === 'string' ? e.value : undefined;
      const known: readonly string[] = name === 'kernel' ? KERNEL_NAMES : ['radial', 'product'];
      // 'product' is a keyword of the language: the product form is written as a string, form = "product"
      const list = name === 'kernel' ? known.join(', ') : 'radial, "product"';
      if (word === undefined || !known.includes(word)) err(`unknown ${name} '${word ?? '...'}' (${name}s: ${list})`, e.span, word ? suggestionHint(word, known) : undefined);
      else options[name] = word;
    } else if (name === 'bandwidth') bandwidth(a, e);
    else {
      const before = diags.length;
      const v = number(e);
      if (v === undefined) {
        if (diags.length === before) err(`'${name}' must be a number`, e.span);
        continue;
      }
      const whole = name === 'max_points' || name === 'seed';
      const ok = whole ? Number.isInteger(v) && (name === 'seed' ? v >= 0 : v >= 1) : name === 'tree_above' ? v >= 0 : Number.isFinite(v) && v >= 0;
      if (!ok) err(`'${name}' = ${v}: expected ${whole ? (name === 'seed' ? 'a whole number >= 0' : 'a whole number >= 1') : 'a number >= 0'}`, e.span);
      else options[name] = v;
    }
  }

  function bandwidth(a: Arg, e: Expr): void {
    if (e.kind === 'name' && !scope.has(e.name)) {
      if ((RULES as readonly string[]).includes(e.name)) options.bandwidth = e.name;
      else err(`unknown bandwidth rule '${e.name}' (rules: ${RULES.join(', ')}; or a number, a vector, cv(grid = [...]))`, e.span, suggestionHint(e.name, [...RULES, 'cv']));
      return;
    }
    if (e.kind === 'call' && e.callee.name === 'cv') return cv(e);
    if (e.kind === 'call' && !scope.has(e.callee.name) && !['sqrt', 'exp', 'log'].includes(e.callee.name)) {
      err(`unknown bandwidth '${e.callee.name}(...)' (a number, a vector, ${RULES.join(', ')}, or cv(grid = [...]))`, e.span, suggestionHint(e.callee.name, ['cv']));
      return;
    }
    const v = scope.evaluate(e, diags);
    if (v === undefined) return;
    const n = asNumeric(v);
    const positive = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x > 0;
    if (typeof n === 'number') {
      if (!positive(n)) err(`bandwidth = ${n}: a bandwidth must be a finite number > 0`, e.span);
      else options.bandwidth = n;
    } else if (Array.isArray(n) && n.every((x) => typeof x === 'number')) {
      const vec = n as number[];
      if (vec.length !== realCount) err(`bandwidth: ${vec.length} value${vec.length === 1 ? '' : 's'} for ${realCount} real column${realCount === 1 ? '' : 's'} (${vars.filter((x) => x.type.kind === 'real' || x.type.kind === 'int').map((x) => x.name).join(', ')})`, e.span);
      else if (!vec.every(positive)) err(`bandwidth: every value must be a finite number > 0 (got [${vec.join(', ')}])`, e.span);
      else options.bandwidth = vec;
    } else err('bandwidth: expected a number, a vector (one per real column), a rule or cv(grid = [...])', a.span);
  }

  function cv(e: Extract<Expr, { kind: 'call' }>): void {
    if (e.args.length) err('cv takes named arguments: cv(grid = [0.1, 0.2, 0.5], folds = 5)', e.span);
    options.bandwidth = 'cv';
    for (const na of e.named ?? []) {
      const nm = na.name.name;
      if (!(CV_ARGS as readonly string[]).includes(nm)) {
        err(`cv has no argument '${nm}' (it takes ${CV_ARGS.join(', ')})`, na.name.span, suggestionHint(nm, CV_ARGS), 'unknown-argument');
        continue;
      }
      if (nm === 'scale') {
        const w = na.value.kind === 'name' ? na.value.name : na.value.kind === 'string' ? na.value.value : '';
        if (w !== 'h' && w !== 'whitened') err(`cv scale '${w}': expected h (H = v^2 I) or whitened (H = v^2 Cov)`, na.value.span, suggestionHint(w, ['h', 'whitened']));
        else options.cv_scale = w;
        continue;
      }
      const v = scope.evaluate(na.value, diags);
      if (v === undefined) continue;
      const n = asNumeric(v);
      if (nm === 'grid') {
        const g = typeof n === 'number' ? [n] : n;
        if (!Array.isArray(g) || !g.length || !g.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0)) err('cv grid: expected a non-empty vector of numbers > 0', na.value.span);
        else options.cv_grid = g as number[];
      } else if (typeof n !== 'number' || !Number.isInteger(n) || (nm === 'folds' ? n < 2 : n < 0)) err(`cv ${nm} = ${String(n)}: expected a whole number ${nm === 'folds' ? '>= 2' : '>= 0'}`, na.value.span);
      else options[nm === 'folds' ? 'cv_folds' : 'cv_seed'] = n;
    }
    if (options.cv_grid === undefined) err('cv needs grid = [...] (the bandwidth values to try)', e.span);
  }

  if (diags.some((d) => d.severity === 'error')) return { diagnostics: diags };
  const graph: IRGraph = {
    version: IR_VERSION,
    family: KDE_NAME,
    vars: vars.map((v) => ({ name: v.name, type: v.type })),
    params: {},
    nodes: [{ id: 'n0', kind: 'family', family: KDE_NAME, scope: vars.map((_, i) => i), units: 1, params: {}, options, source: { line: body.span.startLine, column: body.span.startColumn } }],
    root: 'n0',
  };
  return { graph: freeze(graph, true), diagnostics: diags };
}
