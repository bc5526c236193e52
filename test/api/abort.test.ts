// The API's fit yields to the event loop: a timer set to abort fires while the fit runs and
// stops it (the summary says interrupted, the best parameters so far are kept). Before, the fit
// blocked the loop and the timer fired after it had returned (found by adversarial runs).
import { describe, expect, it } from 'vitest';
import { compile } from '../../api/index.js';
import { Rng } from '../../stdlib/random.js';

describe('aborting model.fit() from a timer', () => {
  it('the abort lands during the fit and stops it', async () => {
    const rng = new Rng(3);
    const rows = Array.from({ length: 20000 }, (_, i) => ({ x: rng.normal() + (i % 3) * 4, y: rng.normal() - (i % 2) * 3 }));
    const m = compile('model M(x, y) = mixture(k = 4) of Normal(full)').model('M');
    const ctrl = new AbortController();
    const events: string[] = [];
    const timer = setTimeout(() => {
      events.push('abort');
      ctrl.abort();
    }, 200);
    const summary = await m.fit(rows, { method: 'em', maxIter: 1_000_000, tol: 0, restarts: 1000, signal: ctrl.signal });
    events.push('returned');
    clearTimeout(timer);
    expect(events).toEqual(['abort', 'returned']);
    expect(summary.interrupted).toBe(true);
    expect(summary.converged).toBe(false);
    expect(Number.isFinite(summary.mean_log_likelihood)).toBe(true);
    // The fitted model answers with the parameters kept.
    expect(Number.isFinite(m.logProb([{ x: 0, y: 0 }])[0]!)).toBe(true);
  });
});
