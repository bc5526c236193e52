// The embedding API with a Gaussian process: fit on rows in memory (L-BFGS), predict,
// log predictive densities, queries, and a save/load round trip.
import { describe, expect, it } from 'vitest';
import { compile, load } from '../../api/index.js';

const rows = Array.from({ length: 30 }, (_, i) => ({ x: i / 3, y: Math.sin(i / 3) + 0.05 * Math.cos(11 * i) }));

describe('embedding API with a GP', () => {
  it('fits, predicts, scores and round-trips', async () => {
    const program = compile('model G = gp(x -> y) { kernel = 1 * rbf(ls = 1); noise = 0.01 }');
    const m = program.model('G');
    const summary = await m.fit(rows, { method: 'lbfgs', restarts: 2, seed: 1 });
    expect(summary.gp!.inference).toBe('exact');
    expect(summary.gp!.log_marginal_likelihood).toBeGreaterThan(0);
    const p = m.predict([{ x: 2 }, { x: 20 }]);
    expect(Math.abs(p[0]![0]!.mean - Math.sin(2))).toBeLessThan(0.1);
    expect(p[1]![0]!.std).toBeGreaterThan(5 * p[0]![0]!.std);
    const lp = m.logProb([{ x: 2, y: Math.sin(2) }, { x: 2, y: 5 }]);
    expect(lp[0]).toBeGreaterThan(lp[1]!);
    const a = m.query('p(y | x = 2)');
    expect(a.kind).toBe('distribution');
    // Built from objects (no query text), bound to the GP's inputs the same way.
    expect(m.condition(['y'], { x: 2 })).toEqual(a);
    expect(() => m.predict([{ xx: 2 }])).toThrow(/row 1, key 'xx' is not a variable of model 'G' \(its variables: x, y\)/);
    expect(() => m.condition(['y'], {})).toThrow(/give every input of the GP: x = \.\.\./);
    expect(() => m.sample(2)).toThrow(/a GP answers predict\(\.\.\.\).*not sample\(\.\.\.\)/);
    const again = load(m.save());
    expect(again.predict([{ x: 2 }])[0]![0]!.mean).toBeCloseTo(p[0]![0]!.mean, 12);
  });
});
