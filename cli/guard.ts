// Turns the runtime's expected failures (diagnostics from a step, a bad query, a fit that went
// non-finite) into printed messages and exit code 1; anything else is a bug and propagates.
import { PmixError } from '../runtime/errors.js';
import { QueryError } from '../runtime/queries/evidence.js';
import { StepError } from '../session/session.js';
import { EXIT_INPUT, Exit, fail, type Output } from './io.js';

export function guard<T>(fn: () => T, sources: ReadonlyMap<string, string>, io: Output): T {
  try {
    return fn();
  } catch (e) {
    return report(e, sources, io);
  }
}

export async function guardAsync<T>(fn: () => Promise<T>, sources: ReadonlyMap<string, string>, io: Output): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    return report(e, sources, io);
  }
}

function report(e: unknown, sources: ReadonlyMap<string, string>, io: Output): never {
  if (e instanceof StepError || e instanceof QueryError) fail(e.diagnostics, sources, io);
  if (e instanceof PmixError) {
    io.err(`error: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`);
    if (io.json) io.out(JSON.stringify({ ok: false, error: { code: e.code, message: e.message } }));
    throw new Exit(EXIT_INPUT);
  }
  throw e;
}
