// Which variables a model covers: those named in its declaration, else those its body names
// (product parts), else the columns of the data set it is fitted on.
import type { ModelExpr } from '../language/ast.js';
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
    case 'mixtureList': {
      for (const c of expr.components) {
        const v = namedVars(c, models, visiting);
        if (v) return v;
      }
      return undefined;
    }
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
