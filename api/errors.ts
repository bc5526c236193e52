// The one error type the embedding API throws for bad input: it carries the diagnostics
// (with file:line:col where they have a place) and renders them as its message.
import type { Diagnostic } from '../language/index.js';
import { renderDiagnostic } from '../language/index.js';

export class PmixInputError extends Error {
  constructor(
    readonly diagnostics: readonly Diagnostic[],
    sources: ReadonlyMap<string, string> = new Map(),
  ) {
    super(diagnostics.map((d) => renderDiagnostic(d, d.file ? sources.get(d.file) : undefined)).join('\n'));
    this.name = 'PmixInputError';
  }
}
