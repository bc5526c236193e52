// A query's syntax answered on a model: bound to the model's variables and the forms its family
// answers (compiler/bind-query.ts), then answered by the model's family (families/). What the CLI, the
// REPL, the API and `pmix run` share.
import { bindQuery, bindSpec, type BindResult } from '../compiler/bind-query.js';
import type { QuerySpec } from '../compiler/query-spec.js';
import type { IRGraph } from '../ir/types.js';
import type { QueryAst } from '../language/index.js';
import type { QueryAnswer } from '../runtime/queries/answer.js';
import { QueryError } from '../runtime/queries/evidence.js';
import { answerableForms, familyOf } from '../families/index.js';
import type { ModelState } from '../runtime/state.js';

export interface QuerySource {
  /** The file the query's spans refer to ('<query>' for text given alone). */
  readonly file: string;
  /** The program's `let` constants. */
  readonly constants?: ReadonlyMap<string, number | number[]>;
}

/** Binds a query to a model's graph: its variables and the forms its family answers. */
export function bindTo(graph: IRGraph, q: QueryAst, src: QuerySource): BindResult {
  return bindQuery(q, { vars: graph.vars, file: src.file, constants: src.constants ?? new Map(), ...answerableForms(graph) });
}

/** Binds and answers; throws QueryError with the binder's diagnostics or the runtime's. */
export function answerQuery(state: ModelState, q: QueryAst, src: QuerySource): QueryAnswer {
  const { query, diagnostics } = bindTo(state.graph, q, src);
  if (!query) throw new QueryError(diagnostics);
  return familyOf(state.graph).answer(state, query);
}

/** Binds a query built from values (the API's objects, the CLI's options) and answers it. */
export function answerSpec(state: ModelState, spec: QuerySpec, file: string): QueryAnswer {
  const { query, diagnostics } = bindSpec(spec, { vars: state.graph.vars, file, ...answerableForms(state.graph) });
  if (!query) throw new QueryError(diagnostics);
  return familyOf(state.graph).answer(state, query);
}
