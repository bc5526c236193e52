// Diagnostics are data: every stage returns them instead of throwing, and they are
// rendered in one place (renderDiagnostic) as `file:line:col`, the source line and a caret.
import type { Span } from './ast.js';

export type Severity = 'error' | 'warning' | 'note';

export interface Diagnostic {
  readonly severity: Severity;
  /** A stable kind, e.g. 'syntax', 'unknown-name', 'type-mismatch'; golden tests key on it. */
  readonly code: string;
  readonly message: string;
  /** Where in the model text; absent for problems with no place in it. */
  readonly span?: Span;
  /** The file the span refers to (a .pmix path, or '<query>' / '<input>'). */
  readonly file?: string;
  /** What the parser expected here, e.g. ["'='", "')'"]. */
  readonly expected?: readonly string[];
  /** A fix when one is known, e.g. "did you mean 'Normal'?". */
  readonly hint?: string;
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}
