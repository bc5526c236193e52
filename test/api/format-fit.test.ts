// The fit line says why a fit stopped (api/format-stop.ts), for every stop reason, and the
// CLI shows it in text and in --json.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFit } from '../../api/format.js';
import type { FitSummary } from '../../session/session.js';
import { fitSummary } from '../../runtime/learners/summary.js';
import type { StopReason } from '../../runtime/learners/types.js';
import { tempDir, writeCsv } from '../helpers/programs.js';
import { writeFileSync } from 'node:fs';

const summary = (method: FitSummary['method'], stop: StopReason, criterion: string, iterations: number, extra: Partial<FitSummary> = {}): FitSummary => ({
  ...fitSummary({ model: 'M', data: 'd', method, rows: 10, iterations, stop, criterion, weight: 10, parameters: 2, likelihood: { mean: -1 } }),
  ...extra,
});

describe('the fit line', () => {
  it('names the stop reason and the criterion or limit', () => {
    const first = (s: FitSummary): string => formatFit(s).split('\n')[0]!;
    expect(first(summary('em', 'converged', 'change of the mean log-likelihood below tol = 0.001', 12))).toBe('fit M on d by em: converged after 12 iterations');
    expect(first(summary('lbfgs', 'max_iter', 'max_iter = 50', 50))).toBe('fit M on d by lbfgs: stopped at the limit after 50 iterations (max_iter = 50)');
    expect(first(summary('adam', 'max_iter', 'epochs = 100, no tol given', 100))).toBe('fit M on d by adam: stopped at the limit after 100 epochs (epochs = 100, no tol given)');
    expect(first(summary('adam', 'early_stopping', 'no gain', 9, { validation: { rows: 5, mean_log_likelihood: -1, best_epoch: 4 } }))).toBe(
      'fit M on d by adam: early stopping after 9 epochs (kept epoch 4, the best on the held-out rows)',
    );
    expect(first(summary('em', 'interrupted', 'interrupted', 1))).toBe('fit M on d by em: interrupted after 1 iteration (the best parameters so far)');
    expect(first(summary('lbfgs', 'stalled', 'the line search found no decrease', 7))).toBe('fit M on d by lbfgs: not converged after 7 iterations (the line search found no decrease)');
  });
});

describe('pmix run shows the stop reason', () => {
  const root = new URL('../../', import.meta.url).pathname;
  it('in the fit line and in --json (a GP with nothing free, an Adam fit without tol)', () => {
    const dir = tempDir();
    const data = writeCsv(['x', 'y'], [[0, 0.1], [1, 0.5], [2, 0.2], [3, -0.3], [4, 0.0]], dir);
    const file = join(dir, 'm.pmix');
    writeFileSync(
      file,
      `data d from "${data}" { x: real, y: real }
model G = gp(x: real -> y: real) {
  kernel = 1 fixed * rbf(ls = 1 fixed)
  noise = 0.1 fixed
}
model N = mixture(k = 1) of Normal
fit G on d by lbfgs
fit N on d by adam(epochs = 3, batch = 5)
`,
    );
    const run = (...extra: string[]) => spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), 'run', file, ...extra], { encoding: 'utf8' });
    const text = run();
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('fit G on d by lbfgs: nothing to fit (every hyperparameter is fixed)');
    expect(text.stdout).toContain('fit N on d by adam: stopped at the limit after 3 epochs (epochs = 3, no tol given)');
    const json = JSON.parse(run('--json').stdout);
    expect(json.fits.map((f: FitSummary) => [f.stop, f.converged])).toEqual([
      ['nothing_to_fit', false],
      ['max_iter', false],
    ]);
    expect(json.fits[1].criterion).toBe('epochs = 3, no tol given');
  });
});
