// The embedding API, the package's main export: compile .pmix text, fit models on rows in
// memory, query them, save and load artifacts. No global state: programs and models are
// independent objects. See docs/api.md.
import { resolve } from 'node:path';
import { compile as compileText } from '../compiler/compile.js';
import { parseDataTexts, type DataTexts } from './csv-text.js';
import { PmixInputError } from './errors.js';
import { Program } from './program.js';

export * from './exports.js';

export interface CompileOptions {
  /** The file name diagnostics show and data paths are relative to (default '<input>' in the cwd). */
  readonly file?: string;
  /** Data files must lie inside this directory; a path escaping it is an error. */
  readonly root?: string;
  /** CSV text of data sets, by name (or a function of name and path); these files are not read. */
  readonly data?: DataTexts;
}

/** Compiles .pmix text; throws PmixInputError (with file:line:col diagnostics) when it is wrong. */
export function compile(source: string, opts: CompileOptions = {}): Program {
  const file = opts.file ?? '<input>';
  const sources = new Map([[file, source]]);
  const { program, diagnostics } = compileText(source, file, {
    ...(opts.file ? {} : { baseDir: resolve(opts.root ?? '.') }),
    ...(opts.root !== undefined ? { root: opts.root } : {}),
  });
  if (!program) throw new PmixInputError(diagnostics, sources);
  const given = parseDataTexts(program, opts.data);
  if (given.diagnostics.length) throw new PmixInputError(given.diagnostics, sources);
  return new Program(program, diagnostics, sources, given.data);
}
export { formatFit, formatAnswer, num } from './format.js';
