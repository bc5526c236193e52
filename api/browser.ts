// The embedding API for browsers (and any bundler target): the same Program and Model as the
// main export, with data given as CSV text instead of files. Nothing reachable from here
// imports a node: module (platform/host.ts fetches fs and path only where Node provides them).
import { compile as compileText } from '../compiler/compile.js';
import { parseDataTexts, type DataTexts } from './csv-text.js';
import { PmixInputError } from './errors.js';
import { Program } from './program.js';

export * from './exports.js';

export interface BrowserCompileOptions {
  /** The name diagnostics give the source (default '<input>'). */
  readonly file?: string;
  /** CSV text of data sets, by name (or a function of name and declared path). */
  readonly data?: DataTexts;
}

/** Compiles .pmix text with its data sets given as CSV text; throws PmixInputError when wrong. */
export function compile(source: string, opts: BrowserCompileOptions = {}): Program {
  const file = opts.file ?? '<input>';
  const sources = new Map([[file, source]]);
  const { program, diagnostics } = compileText(source, file, { baseDir: '.' });
  if (!program) throw new PmixInputError(diagnostics, sources);
  const given = parseDataTexts(program, opts.data);
  if (given.diagnostics.length) throw new PmixInputError(given.diagnostics, sources);
  return new Program(program, diagnostics, sources, given.data);
}
export { formatAnswer, formatFit } from './format.js';
