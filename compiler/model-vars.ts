// Which variables a model covers: those named in its declaration, else those its body names
// (product parts), else the columns of the data set it is fitted on.
import type { ModelExpr, Span } from '../language/index.js';
import type { ModelInfo } from './program.js';

/** Variables named inside a model body, in order of first appearance; undefined if it names none. */
export function namedVars(expr: ModelExpr, models: ReadonlyMap<string, ModelInfo>, visiting = new Set<string>()): string[] | undefined {
  switch (expr.kind) {
    case 'product': {
      const out: string[] = [];
      for (const p of expr.parts) for (const v of p.scope) if (!out.includes(v.name)) out.push(v.name);
      return out;
    }
    case 'mixtureOf':
      return namedVars(expr.component, models, visiting);
    case 'integral':
      return namedVars(expr.body, models, visiting);
    case 'mixtureList': {
      for (const c of expr.components) {
        const v = namedVars(c, models, visiting);
        if (v) return v;
      }
      return undefined;
    }
    case 'circuit':
      return undefined;
    case 'square': {
      for (const c of expr.monotone ? [expr.monotone, ...expr.parts] : expr.parts) {
        const v = namedVars(c, models, visiting);
        if (v) return v;
      }
      return undefined;
    }
    case 'gp':
      return [...expr.inputs, ...expr.outputs].map((v) => v.name.name).concat(taskColumn(expr)?.name ?? []);
    case 'leaf': {
      const m = models.get(expr.name.name);
      if (!m || visiting.has(expr.name.name)) return undefined;
      if (m.vars) return [...m.vars];
      visiting.add(expr.name.name);
      const v = namedVars(m.decl.body, models, visiting);
      visiting.delete(expr.name.name);
      return v;
    }
  }
}

/**
 * The model's variables given the columns of the data it is fitted on (undefined when there is
 * no data): declared ones, else named in the body, else all data columns except `exclude`.
 */
export function modelVars(model: ModelInfo, models: ReadonlyMap<string, ModelInfo>, dataColumns?: readonly string[], exclude?: string): string[] | undefined {
  if (model.vars) return [...model.vars];
  const named = namedVars(model.decl.body, models);
  if (named) return named;
  return dataColumns?.filter((c) => c !== exclude);
}

/**
 * Where a model body names variable `name` (its first mention: a gp input or output, a
 * product part's scope), for errors about that variable; undefined when the body does not
 * name it (declared or data-derived variables, or only inside another model).
 */
export function varSpan(expr: ModelExpr, name: string): Span | undefined {
  switch (expr.kind) {
    case 'gp': {
      const task = taskColumn(expr);
      return [...expr.inputs, ...expr.outputs].find((v) => v.name.name === name)?.span ?? (task?.name === name ? task.span : undefined);
    }
    case 'product':
      for (const p of expr.parts) for (const v of p.scope) if (v.name === name) return v.span;
      return undefined;
    case 'mixtureOf':
      return varSpan(expr.component, name);
    case 'integral':
      return varSpan(expr.body, name);
    case 'mixtureList':
    case 'square':
      for (const c of expr.kind === 'mixtureList' ? expr.components : expr.monotone ? [expr.monotone, ...expr.parts] : expr.parts) {
        const s = varSpan(c, name);
        if (s) return s;
      }
      return undefined;
    case 'circuit':
      return undefined;
    case 'leaf':
      // Another model's body: its own span would point away from this model; the caller falls back.
      return undefined;
  }
}

/** `experts(t -> y) { task = id }` (a multitask GP, families/multitask): the grouping column is a variable too. */
function taskColumn(expr: Extract<ModelExpr, { kind: 'gp' }>): { readonly name: string; readonly span: Span } | undefined {
  const v = expr.head === 'experts' ? expr.items.find((i) => i.name.name === 'task')?.value : undefined;
  return v?.kind === 'call' && !v.hasParens ? { name: v.name.name, span: v.span } : undefined;
}
