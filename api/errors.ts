// The one error type the embedding API throws for bad input: it carries the diagnostics
// (with file:line:col where they have a place) and renders them as its message.
import type { Diagnostic } from '../language/index.js';
import { renderDiagnostic } from '../language/index.js';

export class PmixInputError extends Error {
  /** The key of an API object that is at fault (a misspelled variable, a NaN value), when one is. */
  readonly key?: string;
  /** Its row (0-based) in the rows given, when it is in a row. */
  readonly row?: number;

  constructor(
    readonly diagnostics: readonly Diagnostic[],
    sources: ReadonlyMap<string, string> = new Map(),
    where: { readonly key?: string; readonly row?: number } = {},
  ) {
    super(diagnostics.map((d) => renderDiagnostic(d, d.file ? sources.get(d.file) : undefined)).join('\n'));
    this.name = 'PmixInputError';
    if (where.key !== undefined) this.key = where.key;
    if (where.row !== undefined) this.row = where.row;
  }
}
