// The learners of the circuit-shaped families (mixture, circuit, squared, integral): which
// step generator a fit statement runs, on rows in memory. EM variants for the families whose
// leaves have closed-form M-steps; Adam for all of them.
import type { FitRequest } from '../../runtime/family.js';
import { adamSteps } from '../../runtime/learners/adam.js';
import type { Steps } from '../../runtime/learners/drive.js';
import { emSteps } from '../../runtime/learners/em.js';
import { minibatchEMSteps } from '../../runtime/learners/minibatch-em.js';
import { onlineEMSteps, shuffledSource } from '../../runtime/learners/online-learner.js';
import { memorySource, streamEMSteps } from '../../runtime/learners/stream-em.js';
import { incrementalDetails, incrementalSteps } from '../../runtime/learners/incremental-gmm/index.js';
import type { Fitted } from '../../runtime/learners/types.js';
import { PmixError } from '../../runtime/errors.js';
import { NotPositiveDefiniteError } from '../../stdlib/distributions/index.js';

/** The learner the fit settings name, on the request's rows. */
export function* learnerSteps(req: FitRequest): Steps<Fitted & { readonly details?: Readonly<Record<string, unknown>> }> {
  const { state, x, rows, weights, settings: s, onProgress, signal } = req;
  try {
    if (req.labels) {
      // The clamp lives in full-batch EM's E-step (labels.ts).
      if (s.method !== 'em' || (s.batch ?? 0) > 0 || (s.validation ?? 0) > 0 || s.stream) throw new PmixError(`partial labels are fitted by full-batch EM; ${req.model}'s fit asks for ${s.method === 'em' ? 'mini-batch or streaming EM' : s.method}`, 'bad-method', `fit ${req.model} on ${req.data} by em(labels = ${req.labels.column})`);
      return yield* emSteps(state, x, rows, weights, s, onProgress, signal, req.labels);
    }
    if (s.method === 'lbfgs') throw new PmixError(`lbfgs fits Gaussian process models; fit ${req.model} by em or adam`, 'bad-method');
    if (s.method === 'adam') return yield* adamSteps(state, x, rows, weights, s, onProgress, signal);
    if (s.method === 'incremental') {
      const f = yield* incrementalSteps(state, memorySource(x, rows, state.graph.vars.length, weights), s, onProgress, signal);
      return { ...f, details: incrementalDetails(f) };
    }
    if (s.method === 'online') return yield* onlineEMSteps(state, shuffledSource(x, rows, state.graph.vars.length, weights, s.seed), s, onProgress, signal);
    if ((s.batch ?? 0) > 0 || (s.validation ?? 0) > 0) return yield* minibatchEMSteps(state, x, rows, weights, s, onProgress, signal);
    if (s.stream) return yield* streamEMSteps(state, memorySource(x, rows, state.graph.vars.length, weights), s, onProgress, signal);
    return yield* emSteps(state, x, rows, weights, s, onProgress, signal);
  } catch (e) {
    // Learners report their own numerical failures; one surfacing from a kernel is still the data's.
    if (e instanceof NotPositiveDefiniteError) throw degenerate(req.model, e);
    throw e;
  }
}

export function degenerate(model: string, e: Error): PmixError {
  return new PmixError(`fitting ${model} stopped: ${e.message}`, 'degenerate', 'increase reg_covar, lower k, or add restarts');
}
