// What every command shares: reading files, printing diagnostics (outputs: out-path.ts),
// and the exit codes (0 ok, 1 bad input, 2 bad usage).
import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../language/index.js';
import { clipWords, renderDiagnostic } from '../language/index.js';
import { EXIT_INPUT, Exit, type Output } from './exit.js';

export { EXIT_INPUT, EXIT_OK, EXIT_USAGE, Exit, stdio, type Output } from './exit.js';

/** The text of a file, or an input error naming it. */
export function readText(path: string, what: string, io: Output): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.err(`error: cannot read ${what} '${path}': ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`);
    throw new Exit(EXIT_INPUT);
  }
}

/** Prints diagnostics (rendered with their source lines) and, in --json mode, nothing else to stdout. */
export function report(diags: readonly Diagnostic[], sources: ReadonlyMap<string, string>, io: Output): void {
  for (const d of diags) io.err(renderDiagnostic(d, d.file ? sources.get(d.file) : undefined));
}

export function fail(diags: readonly Diagnostic[], sources: ReadonlyMap<string, string>, io: Output): never {
  report(diags, sources, io);
  if (io.json) io.out(JSON.stringify({ ok: false, diagnostics: diags.map(plainDiagnostic) }));
  throw new Exit(EXIT_INPUT);
}

export function plainDiagnostic(d: Diagnostic): Record<string, unknown> {
  return {
    severity: d.severity,
    code: d.code,
    message: clipWords(d.message),
    ...(d.file ? { file: d.file } : {}),
    ...(d.span ? { line: d.span.startLine, column: d.span.startColumn } : {}),
    ...(d.expected ? { expected: d.expected } : {}),
    ...(d.hint ? { hint: clipWords(d.hint) } : {}),
  };
}

/** JSON for --json output: a non-finite number (a zero density's -Infinity) is written as its
 * name in a string, since JSON.stringify would silently turn it into null. */
export function jsonText(v: unknown): string {
  return JSON.stringify(v, (_, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x));
}
