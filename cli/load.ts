// Loading the inputs of commands: a .pmix program (compiled, with diagnostics on failure) or
// a model artifact (validated), each reported as an input error when bad.
import { compile, type CompileOptions } from '../compiler/compile.js';
import type { CompiledProgram } from '../compiler/program.js';
import { type Artifact } from '../runtime/artifact.js';
import { readArtifact } from '../session/load-artifact.js';
import { PmixError } from '../runtime/errors.js';
import { ModelState } from '../runtime/state.js';
import { EXIT_INPUT, EXIT_USAGE, Exit, fail, readText, type Output } from './io.js';
import { spoolStdin } from './stdin-spool.js';

export function loadProgram(file: string, io: Output, opts: CompileOptions = {}): { program: CompiledProgram; sources: Map<string, string> } {
  const source = readText(file, 'model file', io);
  const sources = new Map([[file, source]]);
  const { program, diagnostics } = compile(source, file, opts);
  if (!program) fail(diagnostics, sources, io);
  return { program, sources };
}

/** `points`: quadrature points per latent of an integral circuit (default: its evaluation points). */
export function loadArtifact(path: string, io: Output, points?: number): { artifact: Artifact; state: ModelState } {
  const text = readText(path, 'model artifact', io);
  try {
    const artifact = readArtifact(text, path);
    let state: ModelState;
    try {
      state = new ModelState(artifact.ir, points ?? 'eval');
    } catch (e) {
      if (points === undefined) throw e;
      throw new PmixError(`--points ${points}: ${(e as Error).message}`, 'bad-value');
    }
    return { artifact, state };
  } catch (e) {
    if (e instanceof PmixError) {
      io.err(`error: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`);
      throw new Exit(EXIT_INPUT);
    }
    throw e;
  }
}

/** Parses `NAME=PATH` pairs of --data. */
export function dataOverrides(pairs: readonly string[] | undefined, io: Output): Record<string, string> {
  const out: Record<string, string> = {};
  let stdinPath: string | undefined;
  for (const p of pairs ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0 || eq === p.length - 1) {
      io.err(`error: --data expects NAME=PATH.csv, got '${p}'`);
      throw new Exit(EXIT_USAGE);
    }
    let path = p.slice(eq + 1);
    if (path === '-') {
      // NAME=- : the rows come on stdin (spooled to a temporary file: cli/stdin-spool.ts), once.
      if (Object.values(out).includes(stdinPath ?? '')) {
        io.err(`error: --data: only one data set can come from stdin (got '${p}' after another NAME=-)`);
        throw new Exit(EXIT_USAGE);
      }
      stdinPath = spoolStdin();
      path = stdinPath;
    }
    out[p.slice(0, eq)] = path;
  }
  return out;
}
