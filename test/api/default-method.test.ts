// model.fit(rows) with no fit statement and no `method` uses the family's default method, as
// `fit M on d` without `by` does: a GP is fitted by lbfgs (it was sent to em and refused).
import { describe, expect, it } from 'vitest';
import { compile } from '../../api/index.js';

describe('API fit without a method', () => {
  it('fits a GP by its default method (lbfgs) and a mixture by em', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ x: i / 5, y: Math.sin(i / 5) + 0.05 * Math.cos(7 * i) }));
    const program = compile(`model G = gp(x -> y) { kernel = 1 * rbf(ls = 1) }\nmodel M = mixture(k = 2) of Normal`);
    const g = await program.model('G').fit(rows);
    expect(g.method).toBe('lbfgs');
    expect(Number.isFinite(g.mean_log_likelihood)).toBe(true);
    const m = await program.model('M').fit(rows.map((r) => ({ y: r.y })));
    expect(m.method).toBe('em');
    // A named method still wins.
    await expect(program.model('G').fit(rows, { method: 'em' })).rejects.toThrow(/lbfgs/);
  });
});
