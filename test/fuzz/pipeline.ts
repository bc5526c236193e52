// The whole pipeline in-process, as the CLI drives it: compile -> Session.check() -> every
// step. Expected failures (diagnostics, StepError, QueryError, PmixError) are outcomes; any
// other exception, a NaN in an answer or a non-finite fitted parameter fails the property.
import { join } from 'node:path';
import { compile } from '../../compiler/compile.js';
import type { CompiledProgram, Step } from '../../compiler/program.js';
import { PmixError } from '../../runtime/errors.js';
import { QueryError } from '../../runtime/queries/evidence.js';
import { Session, StepError } from '../../session/session.js';

export type Outcome = 'compile-error' | 'check-error' | 'step-error' | 'ran';

/** Caps iteration counts so a mutated `max_iter = 1e9` cannot stall the fuzzer (and the
 * examples' long fits, e.g. the digits circuit, stay cheap: the fuzzer looks for crashes). */
function bounded(step: Step): Step {
  if (step.kind !== 'fit') return step;
  const s = step.settings;
  const settings = s.method === 'em' || s.method === 'lbfgs' ? { ...s, maxIter: Math.min(s.maxIter, 5), restarts: Math.min(s.restarts, 2) } : { ...s, epochs: Math.min(s.epochs, 2) };
  return { ...step, settings };
}

export function isExpected(e: unknown): boolean {
  return e instanceof StepError || e instanceof QueryError || e instanceof PmixError;
}

/** Finds a NaN anywhere in a JSON-like value; returns its path. */
export function findNaN(v: unknown, path = ''): string | undefined {
  if (typeof v === 'number') return Number.isNaN(v) ? path || '(value)' : undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = findNaN(v[i], `${path}[${i}]`);
      if (p) return p;
    }
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const p = findNaN(x, `${path}.${k}`);
      if (p) return p;
    }
  }
  return undefined;
}

/** Runs text as `pmix run` would (in dir, so its data paths resolve); throws on a bug. */
export function runPipeline(text: string, dir: string): Outcome {
  const file = join(dir, 'fuzz.pmix');
  const { program, diagnostics } = compile(text, file);
  if (!program) {
    if (!diagnostics.some((d) => d.severity === 'error')) throw new Error('compile failed without an error diagnostic');
    return 'compile-error';
  }
  const bounded_: CompiledProgram = { ...program, steps: program.steps.map(bounded) };
  const session = new Session(bounded_);
  if (session.check().length > 0) return 'check-error';
  let outcome: Outcome = 'ran';
  for (const step of bounded_.steps) {
    try {
      if (step.kind === 'fit') {
        session.fit(step);
        for (const [name, vals] of session.fitted.get(step.model)!.state.values) {
          if (vals.some((x) => !Number.isFinite(x))) throw new Error(`fit left parameter '${name}' non-finite`);
        }
      } else {
        const answer = session.query(step.model, step.query);
        const bad = findNaN(answer);
        if (bad) throw new Error(`query '${step.text}' answered NaN at ${bad}: ${JSON.stringify(answer)}`);
      }
    } catch (e) {
      if (!isExpected(e)) throw e;
      outcome = 'step-error';
    }
  }
  return outcome;
}
