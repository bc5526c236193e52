// The public face of the language front end.
export { parseProgram, parseQuery } from './parse.js';
export { renderDiagnostic, renderDiagnostics, clipWords } from './render.js';
export { didYouMean, suggestionHint, damerauLevenshtein, clipText, MAX_SUGGEST_LENGTH } from './suggest.js';
export { QUERY_FORMS } from './queries.js';
export { RESERVED_WORDS } from './tokens.js';
export type * from './ast.js';
export type { Diagnostic, Severity } from './diagnostics.js';
export { hasErrors } from './diagnostics.js';
export type { GpItem, GpModelExpr, KernelArg, KernelAst, PriorAst } from './gp-ast.js';
export { LineIndex } from './span.js';
