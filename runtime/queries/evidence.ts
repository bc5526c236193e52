// Bound values (ir/query.ts) as a data row over the model's variables (NaN = not given), and
// the error a query that cannot be answered throws: diagnostics placed on the query's span.
import type { Diagnostic } from '../../language/index.js';
import type { BoundQuery, BoundValue, SourceSpan } from '../../ir/query.js';

export class QueryError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('; '));
  }
}

/** A QueryError on the query's file, at `span` (the query's own by default). */
export function queryError(q: Pick<BoundQuery, 'file' | 'span'>, message: string, span: SourceSpan | undefined = q.span, code = 'bad-query', hint?: string): QueryError {
  return new QueryError([{ severity: 'error', code, message, file: q.file, ...(span ? { span } : {}), ...(hint ? { hint } : {}) }]);
}

/** A row over `V` variables with the values filled in (the binder checked them). */
export function evidenceRow(V: number, values: readonly BoundValue[], row = new Float64Array(V).fill(NaN)): Float64Array {
  for (const b of values) row[b.v] = b.value;
  return row;
}
