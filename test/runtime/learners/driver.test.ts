// The fit driver (runtime/learners/driver.ts) with fake learners whose "parameters" are one
// number: restarts keep the best, the abort keeps the best so far, checkpoints follow the
// FitCheckpoint protocol, early stopping keeps the best epoch, collapse repair is called and
// resets the convergence test, a learner may stop by itself, and Adam's tol is the only way
// Adam reports "converged".
import { describe, expect, it } from 'vitest';
import { runToEnd } from '../../../runtime/learners/drive.js';
import { drive, type Learner, type LearnerRun, type LearnerStop } from '../../../runtime/learners/driver.js';
import { adamConvergence } from '../../../runtime/learners/adam-optimizer.js';
import type { FitCheckpoint, FitProgress } from '../../../runtime/learners/types.js';
import type { ModelState } from '../../../runtime/state.js';

/** A stand-in for ModelState: one value, with the clone/copyFrom the driver uses. */
class FakeState {
  constructor(public v: number) {}
  clone(): FakeState {
    return new FakeState(this.v);
  }
  copyFrom(o: FakeState): void {
    this.v = o.v;
  }
}
const asState = (s: FakeState): ModelState => s as unknown as ModelState;
const valueOf = (s: ModelState): number => (s as unknown as FakeState).v;

interface FakeSpec {
  /** The mean log-likelihood each iteration returns (restart r: lls[r]); its parameter value is the iteration number. */
  readonly lls: readonly (readonly (number | LearnerStop)[])[];
  /** Held-out scores by iteration (early stopping). */
  readonly valid?: readonly number[];
  readonly repairAt?: readonly number[];
  /** Mini-batches (inner yields) per iteration. */
  readonly batches?: number;
  readonly onIterate?: (restart: number, it: number) => void;
}

function fake(spec: FakeSpec, maxIter = 50): { learner: Learner; repairs: number[][] } {
  const repairs: number[][] = [];
  const learner: Learner = {
    restarts: spec.lls.length,
    maxIter,
    limit: `max_iter = ${maxIter}`,
    start: (r) => {
      const state = new FakeState(0);
      const calls: number[] = [];
      repairs.push(calls);
      const run: LearnerRun = {
        state: asState(state),
        *iterate(it) {
          spec.onIterate?.(r, it);
          for (let b = 1; b < (spec.batches ?? 1); b++) yield;
          state.v = it;
          const out = spec.lls[r]![it - 1];
          if (out === undefined) throw new Error(`fake learner ran past its script at restart ${r}, iteration ${it}`);
          return out;
        },
        repair: (it) => {
          calls.push(it);
          return spec.repairAt?.includes(it) ?? false;
        },
        ...(spec.valid ? { validate: (it: number) => spec.valid![it - 1]!, validationRows: 7 } : {}),
        *finish({ kept, trace }) {
          return { state: asState(kept ? (kept as unknown as FakeState).clone() : state), meanLogLikelihood: trace.length ? trace[trace.length - 1]! + 0 : -Infinity };
        },
      };
      return run;
    },
  };
  return { learner, repairs };
}

describe('the fit driver', () => {
  it('runs every restart and keeps the one with the best final mean log-likelihood (the first on a tie)', () => {
    const { learner } = fake({ lls: [[-5, -4, -4], [-3, -2, -2], [-6, -2, -2]] });
    const r = runToEnd(drive(learner, { convergence: { kind: 'absolute', tol: 1e-9 } }));
    expect(r.result.meanLogLikelihood).toBe(-2);
    expect(r.result.trace).toEqual([-3, -2, -2]);
    expect(r.result.stop).toBe('converged');
    expect(r.result.converged).toBe(true);
    expect(r.result.iterations).toBe(3);
    expect(r.totalIterations).toBe(9);
  });

  it('absolute convergence: stops at the first |change| below tol; without it stops at the limit, not converged', () => {
    const lls = [[-10, -5, -4, -3.9, -3.85, -3.849]];
    const a = runToEnd(drive(fake({ lls }, 6).learner, { convergence: { kind: 'absolute', tol: 0.06 } }));
    expect([a.result.iterations, a.result.stop, a.result.converged]).toEqual([5, 'converged', true]);
    const b = runToEnd(drive(fake({ lls }, 6).learner, { convergence: { kind: 'absolute', tol: 1e-6 } }));
    expect([b.result.iterations, b.result.stop, b.result.converged, b.result.criterion]).toEqual([6, 'max_iter', false, 'max_iter = 6']);
  });

  it('calls collapse repair after initialization and every iteration; a repair resets the convergence test', () => {
    const lls = [[-5, -5, -5, -5]];
    const plain = fake({ lls });
    expect(runToEnd(drive(plain.learner, { convergence: { kind: 'absolute', tol: 1e-3 } })).result.iterations).toBe(2);
    expect(plain.repairs[0]).toEqual([0, 1, 2]);
    // Repaired at iteration 2: iteration 2 cannot converge, and neither can 3 (compared with -Infinity).
    const repaired = fake({ lls, repairAt: [2] });
    const r = runToEnd(drive(repaired.learner, { convergence: { kind: 'absolute', tol: 1e-3 } }));
    expect(repaired.repairs[0]).toEqual([0, 1, 2, 3, 4]);
    expect(r.result.iterations).toBe(4);
  });

  it('early stopping keeps the best held-out epoch and stops after `patience` epochs without gain', () => {
    const lls = [[-9, -8, -7, -6, -5, -4, -3]];
    const valid = [-10, -7, -7.5, -7.2, -8, -1, -1];
    const r = runToEnd(drive(fake({ lls, valid }).learner, { convergence: { kind: 'absolute', tol: 10 }, patience: 3 }));
    // Epoch 2 is best; 3, 4, 5 bring no gain: stop after 5, parameters of epoch 2.
    expect(r.result.stop).toBe('early_stopping');
    expect(r.result.converged).toBe(false);
    expect(r.result.iterations).toBe(5);
    expect(valueOf(r.state)).toBe(2);
    expect(r.result.validation).toEqual({ rows: 7, meanLogLikelihood: -7, bestEpoch: 2 });
  });

  it('an abort stops after the current mini-batch and keeps the best so far: a finished restart, or the running one', () => {
    const controller = new AbortController();
    const { learner } = fake({
      lls: [[-5, -3, -3], [-2, -1, -1, -1]],
      batches: 3,
      onIterate: (r, it) => {
        if (r === 1 && it === 2) controller.abort();
      },
    });
    const r = runToEnd(drive(learner, { convergence: { kind: 'absolute', tol: 1e-9 }, signal: controller.signal }));
    // Restart 2 was stopped inside iteration 2 (after its first mini-batch): its first
    // iteration (-2) beats restart 1 (-3), and the unfinished iteration does not count.
    expect(r.result.stop).toBe('interrupted');
    expect(r.result.interrupted).toBe(true);
    expect(r.result.converged).toBe(false);
    expect(r.result.meanLogLikelihood).toBe(-2);
    expect(r.result.iterations).toBe(1);

    const c2 = new AbortController();
    const first = fake({ lls: [[-5, -3, -3], [-9, -8]], onIterate: (rr, it) => rr === 1 && it === 2 && c2.abort() });
    const r2 = runToEnd(drive(first.learner, { convergence: { kind: 'absolute', tol: 1e-9 }, signal: c2.signal }));
    expect(r2.result.meanLogLikelihood).toBe(-3);
    expect(valueOf(r2.state)).toBe(3);
    expect(r2.result.stop).toBe('interrupted');
  });

  it('yields FitCheckpoints (restart, iteration, a copy of the best so far) at every mini-batch and iteration end', () => {
    const { learner } = fake({ lls: [[-5, -4, -4], [-1, -0.5, -0.5]], batches: 2 });
    const gen = drive(learner, { convergence: { kind: 'absolute', tol: 1e-9 } });
    const seen: { restart: number; iteration: number; best?: number; v?: number }[] = [];
    const kept: FitCheckpoint[] = [];
    for (let s = gen.next(); !s.done; s = gen.next()) {
      const b = s.value.best();
      kept.push(s.value);
      seen.push({ restart: s.value.restart, iteration: s.value.iteration, best: b?.meanLogLikelihood, v: b && valueOf(b.state) });
    }
    // Restart 1: before its first iteration ends there is nothing to keep.
    expect(seen[0]).toEqual({ restart: 1, iteration: 1, best: undefined, v: undefined });
    expect(seen).toContainEqual({ restart: 1, iteration: 2, best: -4, v: 2 });
    // In restart 2 the finished restart 1 is the best until restart 2 passes it.
    expect(seen).toContainEqual({ restart: 2, iteration: 1, best: -4, v: 3 });
    expect(seen).toContainEqual({ restart: 2, iteration: 2, best: -0.5, v: 2 });
    // best() returns copies: changing one changes nothing the driver holds.
    const c = kept[kept.length - 1]!.best()!;
    (c.state as unknown as FakeState).v = 99;
    expect(valueOf(kept[kept.length - 1]!.best()!.state)).not.toBe(99);
  });

  it('a learner that stops by itself (L-BFGS) reports its own reason and iteration count', () => {
    const stalled: LearnerStop = { stop: 'stalled', criterion: 'the line search found no decrease', iterations: 3 };
    const r = runToEnd(drive(fake({ lls: [[-3, -2, stalled]] }).learner));
    expect([r.result.stop, r.result.criterion, r.result.iterations, r.result.converged]).toEqual(['stalled', 'the line search found no decrease', 3, false]);
    const conv: LearnerStop = { stop: 'converged', criterion: 'projected gradient below tolerance', iterations: 1 };
    expect(runToEnd(drive(fake({ lls: [[-3, conv]] }).learner)).result.converged).toBe(true);
  });

  it('reports progress once per iteration with restart, iteration and the limit', () => {
    const got: FitProgress[] = [];
    runToEnd(drive(fake({ lls: [[-2, -1, -1], [-3, -3]] }, 10).learner, { convergence: { kind: 'absolute', tol: 1e-9 }, onProgress: (p) => got.push(p) }));
    expect(got.map((p) => [p.restart, p.iteration, p.meanLogLikelihood])).toEqual([[1, 1, -2], [1, 2, -1], [1, 3, -1], [2, 1, -3], [2, 2, -3]]);
    expect(got.every((p) => p.restarts === 2 && p.maxIter === 10)).toBe(true);
  });
});

describe("Adam's stopping rule", () => {
  // ll_t = -1 - 2^-t: relative changes 2^-t / (1 + 2^-(t-1)), about 0.5^t.
  const lls = [Array.from({ length: 40 }, (_, t) => -1 - 2 ** -(t + 1))];

  it('without tol: runs to the epoch limit and says so, never "converged"', () => {
    const r = runToEnd(drive(fake({ lls }, 40).learner, adamConvergence({})));
    expect([r.result.stop, r.result.converged, r.result.iterations]).toEqual(['max_iter', false, 40]);
    expect(r.result.criterion).toBe('max_iter = 40, no tol given');
  });

  it('with tol: converged once the relative change stays below tol for `patience` epochs', () => {
    const r = runToEnd(drive(fake({ lls }, 40).learner, adamConvergence({ tol: 1e-3, patience: 3 })));
    // Brute force: the first t with rel_{t-2}, rel_{t-1}, rel_t all < tol.
    const rel = (t: number): number => Math.abs(lls[0]![t - 1]! - lls[0]![t - 2]!) / Math.max(Math.abs(lls[0]![t - 2]!), 1);
    let want = 0;
    for (let t = 4; t <= 40 && !want; t++) if (rel(t) < 1e-3 && rel(t - 1) < 1e-3 && rel(t - 2) < 1e-3) want = t;
    expect(r.result.iterations).toBe(want);
    expect([r.result.stop, r.result.converged]).toEqual(['converged', true]);
  });

  it('with a tol never met: stops at the limit, not converged', () => {
    const r = runToEnd(drive(fake({ lls }, 5).learner, adamConvergence({ tol: 1e-12 })));
    expect([r.result.stop, r.result.converged, r.result.iterations]).toEqual(['max_iter', false, 5]);
  });
});
