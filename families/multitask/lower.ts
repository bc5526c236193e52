// Lowers `experts(t -> y) { task = id; k = 3; expert = gp; kernel = 0.25 * rbf(ls = 2); mean_kernel = 4 * rbf(ls = 2); noise = 0.01 }`,
// the cluster-specific multitask GP (docs/experts.md): a mixture of experts whose experts are
// clusters of whole curves (tasks) rather than regions of the input space. The `task` item is
// what tells it from a mixture of experts (families/moe); every bad item is a diagnostic on its span.
import { freeze } from 'immer';
import { asNumeric, ConstantScope } from '../../compiler/constants.js';
import type { CompiledProgram } from '../../compiler/program.js';
import { IR_VERSION, type IRGraph, type IRParam, type IRVariable } from '../../ir/types.js';
import type { Diagnostic, GpModelExpr, KernelAst, ModelExpr, Span } from '../../language/index.js';
import { suggestionHint } from '../../language/index.js';
import { HYPER } from './vem.js';
import { MULTITASK_NAME, P } from './spec.js';

const ITEMS = ['task', 'k', 'expert', 'kernel', 'mean_kernel', 'noise'] as const;
export const MAX_CLUSTERS = 64;
export const DEFAULT_STEPS = 5;

export const claimsMultitask = (body: ModelExpr): boolean => body.kind === 'gp' && body.head === 'experts' && body.items.some((i) => i.name.name === 'task');

export function lowerMultitask(program: CompiledProgram, body: ModelExpr, vars: readonly IRVariable[]): { graph?: IRGraph; diagnostics: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  if (body.kind !== 'gp') return { diagnostics: diags };
  const expr: GpModelExpr = body;
  const err = (message: string, span: Span, hint?: string, code = 'bad-value'): undefined => {
    diags.push({ severity: 'error', code, message, span, file: program.file, ...(hint ? { hint } : {}) });
    return undefined;
  };
  const scope = new ConstantScope(program.file);
  for (const [k, v] of program.constants) scope.define(k, v);
  const number = (e: Parameters<typeof scope.evaluate>[0]): number | undefined => {
    const before = diags.length;
    const r = scope.evaluate(e, diags);
    const v = r === undefined ? undefined : asNumeric(r);
    if (typeof v !== 'number' || !Number.isFinite(v)) return diags.length === before ? err('expected a number', e.span) : undefined;
    return v;
  };

  const typeOf = (name: string): string | undefined => vars.find((v) => v.name === name)?.type.kind;
  const indexOf = (name: string): number => vars.findIndex((v) => v.name === name);
  if (expr.inputs.length !== 1) err(`a multitask GP takes one input (the curves' abscissa, e.g. experts(t -> y) { task = id }); this one has ${expr.inputs.length}`, expr.inputs[1]?.span ?? expr.span);
  if (expr.outputs.length !== 1) err(`a multitask GP models one output; this one has ${expr.outputs.length} (${expr.outputs.map((o) => o.name.name).join(', ')})`, expr.outputs[1]?.span ?? expr.span);
  for (const v of [...expr.inputs, ...expr.outputs]) {
    const t = typeOf(v.name.name);
    if (t !== undefined && t !== 'real' && t !== 'int') err(`'${v.name.name}' is ${t}: a multitask GP takes a real or int input and output`, v.span, undefined, 'type-mismatch');
  }

  let K = 2;
  let steps = DEFAULT_STEPS;
  let task: number | undefined;
  // [value, fixed, written] per hyperparameter, HYPER's order
  const hyper: { value?: number; fixed: boolean }[] = HYPER.map(() => ({ fixed: false }));
  const seen = new Set<string>();
  /** A positive number, with `fixed` allowed; bounds and priors refused. */
  const positive = (a: { value: number; fixed?: Span; bounds?: unknown; prior?: unknown; span: Span } | undefined, span: Span, what: string, j: number): void => {
    if (!a) return;
    if (a.bounds || a.prior) err(`${what}: a multitask GP's hyperparameters take a value and 'fixed' only (no bounds or prior)`, span);
    if (!(a.value > 0)) return void err(`${what} = ${a.value}: expected a number > 0`, span);
    hyper[j] = { value: a.value, fixed: a.fixed !== undefined };
  };
  /** `rbf(ls = L)`, `V * rbf(ls = L)` or `rbf()`: the scale into hyper[j], the lengthscale into hyper[j + 1]. */
  const kernel = (v: KernelAst, item: string, j: number): void => {
    const shape = `${item} is a scaled RBF kernel, e.g. ${item} = 1 * rbf(ls = 2) (the multitask form's kernels are RBF)`;
    const terms = v.kind === 'product' ? v.terms : [v];
    const call = terms.find((x) => x.kind === 'call');
    const scale = terms.filter((x) => x.kind === 'number');
    if (v.kind === 'sum' || !call || call.kind !== 'call' || terms.length > 2 || terms.length !== scale.length + 1) return void err(shape, v.span);
    if (call.name.name !== 'rbf') return void err(`${item} = ${call.name.name}(...): a multitask GP's kernels are RBF (write ${item} = 1 * rbf(ls = 2))`, call.name.span, undefined, 'unknown-kernel');
    const s = scale[0];
    if (s && s.kind === 'number') positive(s, s.span, `${item}'s scale`, j);
    for (const a of call.args) {
      if (a.name && a.name.name !== 'ls') {
        err(`rbf(...) in ${item} takes ls only`, a.name.span, suggestionHint(a.name.name, ['ls']), 'unknown-argument');
        continue;
      }
      const x = number(a.value);
      if (x !== undefined) positive({ value: x, ...(a.fixed ? { fixed: a.fixed } : {}), ...(a.bounds ? { bounds: a.bounds } : {}), ...(a.prior ? { prior: a.prior } : {}), span: a.span }, a.span, `${item}'s ls`, j + 1);
    }
  };

  for (const item of expr.items) {
    const name = item.name.name;
    const v = item.value;
    if (!(ITEMS as readonly string[]).includes(name)) {
      err(`a multitask GP (experts(...) with a task column) has no item '${name}' (items: ${ITEMS.join(', ')})`, item.name.span, suggestionHint(name, ITEMS), 'unknown-argument');
      continue;
    }
    if (seen.has(name)) err(`'${name}' is given twice`, item.name.span);
    seen.add(name);
    if (name === 'task') {
      if (v.kind !== 'call' || v.hasParens) {
        err('task names the column that says which curve a row belongs to, e.g. task = id', v.span);
        continue;
      }
      const i = indexOf(v.name.name);
      if (i < 0) err(`'${v.name.name}' is not a column of this model's data`, v.name.span);
      else if ([...expr.inputs, ...expr.outputs].some((x) => x.name.name === v.name.name)) err(`'${v.name.name}' is the task column: it cannot also be an input or output`, v.name.span);
      else if (typeOf(v.name.name) !== 'int') err(`the task column '${v.name.name}' is ${typeOf(v.name.name)}: task ids are whole numbers (declare it ${v.name.name}: int)`, v.name.span, undefined, 'type-mismatch');
      else task = i;
    } else if (name === 'k') {
      if (v.kind !== 'number' || v.bounds || v.fixed || v.prior) err('k is a whole number of clusters, e.g. k = 3', v.span);
      else if (!Number.isInteger(v.value) || v.value < 1 || v.value > MAX_CLUSTERS) err(`k = ${v.value}: expected a whole number of clusters from 1 to ${MAX_CLUSTERS}`, v.span);
      else K = v.value;
    } else if (name === 'expert') {
      if (v.kind !== 'call' || v.name.name !== 'gp') {
        err('a multitask GP\'s experts are GPs: expert = gp or gp(steps = N) (a task column is for GP experts only)', v.span);
        continue;
      }
      for (const a of v.args) {
        if (a.name?.name !== 'steps') {
          err('gp(...) here takes steps = N, the L-BFGS steps on the hyperparameters per EM iteration', a.span, undefined, 'unknown-argument');
          continue;
        }
        const x = number(a.value);
        if (x !== undefined && (!Number.isInteger(x) || x < 0 || x > 1000)) err(`steps = ${x}: expected a whole number from 0 to 1000`, a.value.span);
        else if (x !== undefined) steps = x;
      }
    } else if (name === 'kernel') kernel(v, 'kernel', 2);
    else if (name === 'mean_kernel') kernel(v, 'mean_kernel', 0);
    else if (v.kind !== 'number') err('noise is the noise variance, a number: noise = 0.01 (or 0.01 fixed)', v.span);
    else positive(v, v.span, 'noise', 4);
  }
  if (diags.some((d) => d.severity === 'error')) return { diagnostics: diags };
  if (task === undefined) return { diagnostics: diags };

  const params: Record<string, IRParam> = {};
  const source = { line: expr.span.startLine, column: expr.span.startColumn };
  HYPER.forEach((name, j) => {
    const h = hyper[j]!;
    params[name] = { name, shape: [1], param: { kind: 'positive' }, value: [h.value ?? 1], fixed: h.fixed, init: h.value === undefined ? 'data' : 'given', source };
  });
  params[P.pi] = { name: P.pi, shape: [K], param: { kind: 'simplex' }, value: new Array(K).fill(1 / K), fixed: false, init: 'data', source };
  const inputs = expr.inputs.map((v) => indexOf(v.name.name));
  const outputs = expr.outputs.map((v) => indexOf(v.name.name));
  const graph: IRGraph = {
    version: IR_VERSION,
    family: MULTITASK_NAME,
    vars: vars.map((v) => ({ name: v.name, type: v.type })),
    params,
    nodes: [{ id: 'n0', kind: 'family', family: MULTITASK_NAME, scope: vars.map((_, i) => i), units: 1, params: Object.fromEntries(Object.keys(params).map((k) => [k, k])), options: { k: K, inputs, outputs, task, steps }, source }],
    root: 'n0',
  };
  return { graph: freeze(graph, true), diagnostics: diags };
}
