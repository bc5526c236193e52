// The one fit driver. Every learner (full-batch, mini-batch and streaming EM, Adam, L-BFGS)
// supplies steps: how to start a restart (initialize), one iteration or epoch, and how to
// score the end; the driver owns the loop around them: restarts (the best final mean
// log-likelihood wins), the convergence test, early stopping on held-out rows (the best
// epoch's parameters are kept), collapse repair after every iteration, progress, the
// AbortSignal (stop after the current mini-batch and keep the best so far), checkpoints
// (the FitCheckpoint generator protocol of drive.ts) and the result with its stop reason.
import type { ModelState } from '../state.js';
import type { Steps } from './drive.js';
import type { FitCheckpoint, FitProgress, FitResult, Fitted, StopReason } from './types.js';

/** A learner that ended its run by itself (L-BFGS): why, and after how many iterations. */
export interface LearnerStop {
  readonly stop: StopReason;
  readonly criterion: string;
  readonly iterations: number;
}

/** What the driver gets at a run's end: its parameters and their mean log-likelihood on the training rows. */
export interface RunEnd {
  readonly state: ModelState;
  readonly meanLogLikelihood: number;
}

/** One restart of a learner. */
export interface LearnerRun {
  /** The parameters the run moves (early stopping copies them into its kept state). */
  readonly state: ModelState;
  /**
   * Iterations the learner ran before handing the run to the driver (EM's probing of candidate
   * starts): their mean log-likelihoods, counted in the restart's iterations and trace.
   */
  readonly ran?: readonly number[];
  /**
   * One iteration (EM) or epoch (mini-batch learners): yields between mini-batches or chunks
   * (where the driver may checkpoint or stop), returns the iteration's mean log-likelihood
   * on the training rows, or a LearnerStop when the learner has finished by itself.
   */
  iterate(iteration: number): Generator<void, number | LearnerStop, void>;
  /** Collapse repair (collapse.ts) after initialization (iteration 0) and after every iteration: true when a component was re-initialized. */
  repair?(iteration: number): boolean;
  /** Early stopping: the mean log-likelihood of the held-out rows at the current parameters. */
  validate?(iteration: number): number;
  /** The held-out rows' count (for the result). */
  readonly validationRows?: number;
  /** A copy of the current parameters (default: state.clone()). */
  snapshot?(): ModelState;
  /**
   * Learners that learn within a pass (online EM): the rows seen so far and their running mean
   * log-likelihood, so checkpoints can count rows and save the parameters before a pass ends.
   */
  progress?(): { readonly rows: number; readonly meanLogLikelihood: number };
  /**
   * The run's result: `kept` (early stopping's best epoch) or the current parameters, and
   * their mean log-likelihood. Undefined (or stopped by the signal) means: take the last
   * iteration's value from the trace (streaming EM skips a pass over the file when interrupted).
   */
  finish(end: { readonly kept?: ModelState; readonly iterations: number; readonly trace: readonly number[]; readonly interrupted: boolean }): Generator<void, RunEnd | undefined, void>;
}

export interface Learner {
  readonly restarts: number;
  /** Iterations (or epochs) per restart at most. */
  readonly maxIter: number;
  /** The limit in the fit's own words, e.g. 'max_iter = 100' or 'epochs = 20'. */
  readonly limit: string;
  /** Starts restart `restart` (0-based): a fresh, initialized state. */
  start(restart: number): LearnerRun;
}

/**
 * When the driver declares convergence (never while a validation split decides: early
 * stopping replaces it). 'absolute': |ll_t - ll_{t-1}| < tol (EM, as scikit-learn).
 * 'relative': |ll_t - ll_{t-1}| / max(|ll_{t-1}|, 1) < tol for `patience` epochs in a row (Adam).
 */
export type Convergence = { readonly kind: 'absolute'; readonly tol: number } | { readonly kind: 'relative'; readonly tol: number; readonly patience: number };

export interface DriveSettings {
  readonly convergence?: Convergence;
  /** Early stopping's patience: epochs without a better held-out score before stopping (default 5). */
  readonly patience?: number;
  readonly onProgress?: (p: FitProgress) => void;
  readonly signal?: AbortSignal;
  /** Why there is no convergence test, for the criterion when the limit stops the fit (e.g. 'no tol given'). */
  readonly noTest?: string;
}

export interface Driven extends Fitted {
  /** Iterations over all restarts (the GP fit reports these). */
  readonly totalIterations: number;
}

export function* drive(learner: Learner, settings: DriveSettings = {}): Steps<Driven> {
  const { signal, onProgress, convergence } = settings;
  const patience = settings.patience ?? 5;
  let best: Fitted | undefined;
  /** The running restart and its latest mean log-likelihood (after its first iteration). */
  let running: { run: LearnerRun; ll: number } | undefined;
  /** Early stopping's best epoch in the running restart. */
  let kept: { state: ModelState; ll: number; epoch: number } | undefined;
  let totalIterations = 0;
  const snapshot = (run: LearnerRun): ModelState => (run.snapshot ? run.snapshot() : run.state.clone());
  /** The restart whose steps are running (for learners that report progress within a pass). */
  let current: LearnerRun | undefined;
  const checkpoint = (restart: number, iteration: number): FitCheckpoint => {
    const within = current?.progress?.();
    return {
      restart,
      iteration,
      ...(within ? { rows: within.rows } : {}),
      best: () => {
        if (kept) return { state: kept.state.clone(), meanLogLikelihood: kept.ll };
        if (best && (!running || best.result.meanLogLikelihood >= running.ll)) return { state: best.state.clone(), meanLogLikelihood: best.result.meanLogLikelihood };
        // Online EM: its current parameters are its best (they have seen the most rows).
        if (current && within && within.rows > 0) return { state: snapshot(current), meanLogLikelihood: within.meanLogLikelihood };
        return running && { state: snapshot(running.run), meanLogLikelihood: running.ll };
      },
    };
  };
  /** Runs a step's generator, checkpointing at its yields; undefined when the signal stopped it. */
  function* inner<T>(gen: Generator<void, T, void>, restart: number, iteration: number): Generator<FitCheckpoint, T | undefined, void> {
    for (;;) {
      const r = gen.next();
      if (r.done) return r.value;
      yield checkpoint(restart, iteration);
      if (signal?.aborted) {
        gen.return(undefined as never);
        return undefined;
      }
    }
  }

  for (let r = 0; r < learner.restarts; r++) {
    if (r > 0 && signal?.aborted) break;
    const run = learner.start(r);
    current = run;
    running = undefined;
    kept = undefined;
    const trace: number[] = [...(run.ran ?? [])];
    if (trace.length === 0) run.repair?.(0);
    let prev = trace.length > 0 ? trace[trace.length - 1]! : -Infinity;
    let calm = 0;
    let sinceBest = 0;
    let iterations = trace.length;
    let stop: StopReason = 'max_iter';
    let criterion = settings.noTest ? `${learner.limit}, ${settings.noTest}` : learner.limit;
    for (let it = trace.length + 1; it <= learner.maxIter; it++) {
      if (signal?.aborted) {
        stop = 'interrupted';
        break;
      }
      const out = yield* inner(run.iterate(it), r + 1, it);
      if (out === undefined) {
        stop = 'interrupted';
        break;
      }
      if (typeof out !== 'number') {
        ({ stop, criterion, iterations } = out);
        break;
      }
      trace.push(out);
      iterations = it;
      // A re-initialized component restarts the climb: the likelihood change says nothing.
      const restarted = run.repair?.(it) ?? false;
      running = { run, ll: out };
      onProgress?.({ restart: r + 1, restarts: learner.restarts, iteration: it, maxIter: learner.maxIter, meanLogLikelihood: out });
      if (run.validate) {
        const vll = run.validate(it);
        if (!kept) {
          kept = { state: snapshot(run), ll: vll, epoch: it };
          sinceBest = 0;
        } else if (vll > kept.ll) {
          kept.state.copyFrom(run.state);
          kept = { state: kept.state, ll: vll, epoch: it };
          sinceBest = 0;
        } else if (++sinceBest >= patience) {
          stop = 'early_stopping';
          criterion = `no gain on the held-out rows for ${patience} epochs (patience = ${patience})`;
          break;
        }
      } else if (convergence && !restarted && prev > -Infinity) {
        const change = Math.abs(out - prev);
        if (convergence.kind === 'absolute' && change < convergence.tol) {
          stop = 'converged';
          criterion = `change of the mean log-likelihood below tol = ${convergence.tol}`;
          break;
        }
        if (convergence.kind === 'relative') {
          calm = change / Math.max(Math.abs(prev), 1) < convergence.tol ? calm + 1 : 0;
          if (calm >= convergence.patience) {
            stop = 'converged';
            criterion = `relative change of the epoch mean log-likelihood below tol = ${convergence.tol} for ${convergence.patience} epochs`;
            break;
          }
        }
      }
      prev = restarted ? -Infinity : out;
      yield checkpoint(r + 1, it);
    }
    const interrupted = stop === 'interrupted';
    const end = yield* inner(run.finish({ kept: kept?.state, iterations, trace, interrupted }), r + 1, iterations);
    const skipped = end === undefined;
    if (skipped && signal?.aborted) stop = 'interrupted';
    if (stop === 'interrupted') criterion = 'interrupted: the best parameters so far are kept';
    const result: FitResult = {
      iterations,
      converged: stop === 'converged',
      stop,
      criterion,
      meanLogLikelihood: end?.meanLogLikelihood ?? trace[trace.length - 1] ?? -Infinity,
      trace,
      ...(kept && run.validationRows !== undefined ? { validation: { rows: run.validationRows, meanLogLikelihood: kept.ll, bestEpoch: kept.epoch } } : {}),
      ...(stop === 'interrupted' ? { interrupted: true } : {}),
    };
    totalIterations += iterations;
    running = undefined;
    const state = end?.state ?? kept?.state ?? run.state;
    if (!best || result.meanLogLikelihood > best.result.meanLogLikelihood) best = { state, result };
    kept = undefined;
  }
  // Stopped early, even if the best restart had finished: the fit as a whole did not.
  if (signal?.aborted && !best!.result.interrupted) {
    best = { state: best!.state, result: { ...best!.result, converged: false, stop: 'interrupted', criterion: 'interrupted: the best parameters so far are kept', interrupted: true } };
  }
  return { ...best!, totalIterations };
}
