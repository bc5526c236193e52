// What a `data` statement declares: a CSV file and its typed columns. The compiler owns it
// (it checks the statement); the runtime's CSV readers load what it describes.
import type { Span } from '../language/index.js';

/** A declared column: its type, and where it was declared (for diagnostics). */
export interface ColumnSpec {
  readonly name: string;
  /** For categorical: levels, or undefined to infer them (sorted) from the data. */
  readonly type: { kind: 'real' | 'int' | 'bool' } | { kind: 'categorical'; levels?: readonly string[] };
  readonly span?: Span;
}

export interface DataSpec {
  readonly name: string;
  readonly path: string;
  readonly columns: readonly ColumnSpec[];
  /** The model file and the span of the path string, for 'file not found'. */
  readonly file?: string;
  readonly pathSpan?: Span;
}
