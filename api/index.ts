// The embedding API, the package's main export: compile .pmix text, fit models on rows in
// memory, query them, save and load artifacts. No global state: programs and models are
// independent objects. See docs/api.md.
import { resolve } from 'node:path';
import { compile as compileText } from '../compiler/compile.js';
import { parseArtifact } from '../runtime/artifact.js';
import { ModelState } from '../runtime/state.js';
import { PmixInputError } from './errors.js';
import { Model } from './model.js';
import { Program } from './program.js';

export { Model, type FitOptions } from './model.js';
export { Program } from './program.js';
export { PmixInputError } from './errors.js';
export { PmixError } from '../runtime/errors.js';
export type { Diagnostic } from '../language/diagnostics.js';
export type { QueryAnswer } from '../runtime/queries/answer.js';
export type { FitSummary } from '../runtime/session.js';
export type { FitProgress } from '../runtime/learners/types.js';
export type { Rows, Cell } from '../runtime/data/rows.js';
export type { IRGraph } from '../compiler/ir/types.js';

export interface CompileOptions {
  /** The file name diagnostics show and data paths are relative to (default '<input>' in the cwd). */
  readonly file?: string;
  /** Data files must lie inside this directory; a path escaping it is an error. */
  readonly root?: string;
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
  return new Program(program, diagnostics, sources);
}

/** Loads a model artifact (the text `model.save()` or `pmix fit` wrote, or its parsed JSON). */
export function load(artifact: string | object): Model {
  const text = typeof artifact === 'string' ? artifact : JSON.stringify(artifact);
  const a = parseArtifact(text);
  return new Model(a.model, undefined, new ModelState(a.ir));
}
