// GP restarts (issue 22 item 5): lbfgs(restarts_from = bounds | start). 'bounds' draws each
// log-space hyperparameter log-uniformly over its whole bounds (scikit-learn's
// n_restarts_optimizer), 'start' within a factor of 30 of the initial values; the fit's notes
// name the choice.
import { describe, expect, it } from 'vitest';
import { compile } from '../../api/index.js';
import { LBFGS_DEFAULTS } from '../../compiler/fit-settings.js';
import type { KernelExpr } from '../../ir/types.js';
import { randomStart } from '../../runtime/gp/init.js';
import { Rng } from '../../stdlib/random.js';
import { compile as compileProgram } from '../../compiler/compile.js';
import { base, gpState } from './helpers.js';

const RBF: KernelExpr = { op: 'scale', factor: 's', kernel: base('rbf', { ls: 'ls' }) };

function draws(from: 'bounds' | 'start', n: number): { logs: number[][]; lower: Float64Array; upper: Float64Array; start: Float64Array } {
  const { core } = gpState(RBF, { s: { value: [2], bounds: [1e-5, 1e5] }, ls: { value: [0.5], bounds: [1e-3, 1e3] } }, { noise: 0.1 });
  const start = core.pack();
  const { lower, upper } = core.bounds();
  const rng = new Rng(7);
  return { logs: Array.from({ length: n }, () => Array.from(randomStart(core, start, rng, from))), lower, upper, start };
}

describe('random restarts of a GP fit', () => {
  it("'bounds' draws log-uniformly over each hyperparameter's whole bounds", () => {
    const { logs, lower, upper } = draws('bounds', 4000);
    for (let j = 0; j < lower.length; j++) {
      const col = logs.map((r) => r[j]!);
      expect(Math.min(...col)).toBeGreaterThanOrEqual(lower[j]!);
      expect(Math.max(...col)).toBeLessThanOrEqual(upper[j]!);
      // Uniform on [lower, upper] in log space: each tenth of the range holds ~10% (binomial sd 0.5%).
      for (let b = 0; b < 10; b++) {
        const lo = lower[j]! + ((upper[j]! - lower[j]!) * b) / 10;
        const hi = lower[j]! + ((upper[j]! - lower[j]!) * (b + 1)) / 10;
        const frac = col.filter((v) => v >= lo && v < hi).length / col.length;
        expect(Math.abs(frac - 0.1)).toBeLessThan(0.025);
      }
    }
  });

  it("'start' stays within a factor of 30 of the starting values", () => {
    const { logs, start } = draws('start', 2000);
    for (let j = 0; j < start.length; j++) {
      const col = logs.map((r) => r[j]!);
      expect(Math.min(...col)).toBeGreaterThanOrEqual(start[j]! - Math.log(30) - 1e-12);
      expect(Math.max(...col)).toBeLessThanOrEqual(start[j]! + Math.log(30) + 1e-12);
      // ... and fills that window (not a point mass).
      expect(Math.max(...col) - Math.min(...col)).toBeGreaterThan(1.9 * Math.log(30));
    }
  });

  it('parses restarts_from, refuses other values with a suggestion, and has a documented default', () => {
    const text = (v: string): string => `data d from "d.csv" { x: real, y: real }\nmodel G = gp(x -> y) { kernel = 1 * rbf() }\nfit G on d by lbfgs(restarts = 3, restarts_from = ${v})\n`;
    for (const v of ['bounds', 'start'] as const) {
      const { program } = compileProgram(text(v), 'm.pmix');
      const step = program!.steps.find((s) => s.kind === 'fit')!;
      expect(step.kind === 'fit' && step.settings.method === 'lbfgs' && step.settings.restartsFrom).toBe(v);
    }
    const bad = compileProgram(text('bound'), 'm.pmix');
    expect(bad.program).toBeUndefined();
    const d = bad.diagnostics.find((x) => x.severity === 'error')!;
    expect(d.message).toMatch(/restarts_from must be bounds .* or start/);
    expect(d.hint).toMatch(/bounds/);
    expect(d.span?.startLine).toBe(3);
    expect(['bounds', 'start']).toContain(LBFGS_DEFAULTS.restartsFrom);
  });

  it('names the choice in the fit notes; restarts never end below the first start', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ x: i / 3, y: Math.sin(i / 3) + 0.05 * Math.cos(11 * i) }));
    const one = await compile('model G = gp(x -> y) { kernel = 1 * rbf(ls = 1); noise = 0.01 }').model('G').fit(rows, { method: 'lbfgs', restarts: 1 });
    expect(one.gp!.notes.join('\n')).not.toContain('restarts_from');
    for (const from of ['bounds', 'start'] as const) {
      const m = compile('model G = gp(x -> y) { kernel = 1 * rbf(ls = 1); noise = 0.01 }').model('G');
      const s = await m.fit(rows, { method: 'lbfgs', restarts: 3, seed: 2, restartsFrom: from });
      expect(s.gp!.notes.join('\n')).toContain(`restarts_from = ${from}`);
      expect(s.gp!.log_marginal_likelihood).toBeGreaterThanOrEqual(one.gp!.log_marginal_likelihood - 1e-6);
    }
    // The default is named too.
    const m = compile('model G = gp(x -> y) { kernel = 1 * rbf(ls = 1); noise = 0.01 }').model('G');
    const s = await m.fit(rows, { method: 'lbfgs', restarts: 2, seed: 2 });
    expect(s.gp!.notes.join('\n')).toContain(`restarts_from = ${LBFGS_DEFAULTS.restartsFrom}`);
  });
});
