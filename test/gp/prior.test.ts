// Hyperparameter priors: the syntax (after arguments and after scale numbers, with items
// following), their log densities' derivatives, and a strong prior pulling a fit.
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { lowerProgramModel as lowerModel } from '../../session/lower.js';
import type { IRVariable, ParamPrior } from '../../ir/types.js';
import { priorTerm } from '../../runtime/gp/prior.js';
import { Session } from '../../session/session.js';
import { writeCsv } from '../helpers/programs.js';

const vars: IRVariable[] = [{ name: 'x', type: { kind: 'real' } }, { name: 'y', type: { kind: 'real' } }];

describe('hyperparameter priors', () => {
  it('parse and lower onto the parameters, with errors on their spans', () => {
    const { program, diagnostics } = compile('model M = gp(x -> y) {\n  kernel = 2 prior gamma(2, 1) * rbf(ls = 1 in [0.1, 10] prior lognormal(0, 0.5))\n  noise = 0.1 prior lognormal(-2, 1)\n  mean = constant(c = 0 prior normal(0, 10))\n}\n', 'p.pmix');
    expect(diagnostics).toEqual([]);
    const g = lowerModel(program!, 'M', vars).graph!;
    expect(g.params['n0.scale_0']!.prior).toEqual({ kind: 'gamma', a: 2, b: 1 });
    expect(g.params['n0.rbf_0.ls']!.prior).toEqual({ kind: 'lognormal', a: 0, b: 0.5 });
    expect(g.params['n0.noise']!.prior).toEqual({ kind: 'lognormal', a: -2, b: 1 });
    expect(g.params['n0.mean_c']!.prior).toEqual({ kind: 'normal', a: 0, b: 10 });
    const bad = compile('model M = gp(x -> y) { kernel = rbf(ls = 1 prior cauchy(0, 1)) + rbf(ls = 2 prior gamma(0, 1)) }\n', 'b.pmix');
    const d = lowerModel(bad.program!, 'M', vars).diagnostics.map((x) => `${x.span?.startColumn}: ${x.message}`);
    expect(d[0]).toMatch(/^50: unknown prior 'cauchy'/);
    expect(d[1]).toMatch(/^77: gamma\(shape, rate\) needs shape > 0/);
  });

  it('log densities have the right derivatives', () => {
    const priors: ParamPrior[] = [{ kind: 'normal', a: 1, b: 2 }, { kind: 'lognormal', a: 0.3, b: 0.7 }, { kind: 'gamma', a: 3, b: 2 }];
    for (const p of priors) {
      for (const v of [0.4, 1.3, 3]) {
        const h = 1e-6;
        const fd = (priorTerm(p, v + h).lp - priorTerm(p, v - h).lp) / (2 * h);
        expect(priorTerm(p, v).d).toBeCloseTo(fd, 6);
      }
    }
    // gamma(3, 2) integrates to 1: a crude check of its normalization.
    let s = 0;
    for (let v = 0.0005; v < 20; v += 0.001) s += Math.exp(priorTerm({ kind: 'gamma', a: 3, b: 2 }, v).lp) * 0.001;
    expect(s).toBeCloseTo(1, 3);
  });

  it('a strong prior pulls the fitted lengthscale towards it', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => [i / 4, Math.sin(i / 4) + 0.1 * Math.cos(7 * i)]);
    const path = writeCsv(['x', 'y'], rows);
    const fitLs = (prior: string): number => {
      const { program } = compile(`data d from "${path}" { x: real, y: real }\nmodel M = gp(x -> y) { kernel = 1 * rbf(ls = 1${prior}) }\nfit M on d by lbfgs\n`, 'f.pmix');
      const s = new Session(program!);
      const summary = s.fit(program!.steps[0] as never);
      return summary.gp!.hyperparameters['rbf_0.ls']![0]!;
    };
    const free = fitLs('');
    const pulled = fitLs(' prior lognormal(' + Math.log(0.3) + ', 0.05)');
    expect(Math.abs(Math.log(pulled / 0.3))).toBeLessThan(Math.abs(Math.log(free / 0.3)) / 2);
  });
});
