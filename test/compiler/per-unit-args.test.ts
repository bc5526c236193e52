// Per-unit leaf parameters: an argument whose leading axis has one entry per unit gives each
// unit its own value (circuit input layers, mixture components); a wrong shape is named on the
// argument's span.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { deterministic } from '../../circuits/properties.js';
import { logDensityRows } from '../../runtime/evaluate.js';
import { Session } from '../../session/session.js';
import { modelState, runFits, tempDir, writeCsv } from '../helpers/programs.js';

const inputOf = (s: ReturnType<typeof modelState>, dist: string) => {
  const n = s.graph.nodes.find((m) => m.kind === 'input' && m.dist === dist);
  if (!n || n.kind !== 'input') throw new Error(`no ${dist} layer`);
  return n;
};

describe('per-unit leaf parameters', () => {
  it('Bernoulli(units = 2, p = [0, 1] fixed): indicator units; EM gives the empirical joint', () => {
    const data = writeCsv(['a', 'b'], [[0, 0], [1, 1], [1, 1], [1, 0]]);
    const s = runFits(`data d from "${data}" { a: int, b: int }
      model C = circuit { region linear inputs Bernoulli(units = 2, p = [0, 1] fixed) sum(units = 1) product kronecker }
      fit C on d by em(max_iter = 5)`);
    const state = s.fitted.get('C')!.state;
    const inp = inputOf(state, 'Bernoulli');
    expect(state.param(inp.params['p']!)).toMatchObject({ shape: [2, 1], fixed: true });
    expect(Array.from(state.values.get(inp.params['p']!)!)).toEqual([0, 1]);
    expect(deterministic(state.graph)).toEqual([]);
    const lp = logDensityRows(state, Float64Array.from([0, 0, 0, 1, 1, 0, 1, 1]), 4);
    // (0, 1) never occurs: EM leaves it only its probability floor.
    [1 / 4, 0, 1 / 4, 2 / 4].forEach((p, i) => expect(Math.abs(Math.exp(lp[i]!) - p)).toBeLessThan(1e-9));
  });

  it('Categorical probs and Normal means per mixture component', () => {
    const cat = modelState('model M(x) = mixture(k = 2, weights = [0.5, 0.5]) of Categorical(probs = [[0.2, 0.8], [0.6, 0.4]])', 'M');
    expect(Array.from(cat.values.get(inputOf(cat, 'Categorical').params['probs']!)!)).toEqual([0.2, 0.8, 0.6, 0.4]);
    const n1 = modelState('model M(x) = mixture(k = 3, weights = [0.25, 0.25, 0.5]) of Normal(mean = [-1, 0, 4], sd = 1)', 'M');
    const phi = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    expect(Math.exp(logDensityRows(n1, Float64Array.from([0.5]), 1)[0]!)).toBeCloseTo(0.25 * phi(1.5) + 0.25 * phi(0.5) + 0.5 * phi(3.5), 12);
    const n2 = modelState('model M(x, y) = mixture(k = 2, weights = [0.5, 0.5]) of Normal(diag, mean = [[0, 1], [5, 6]], sd = 1)', 'M');
    expect(Math.exp(logDensityRows(n2, Float64Array.from([0, 6]), 1)[0]!)).toBeCloseTo((phi(0) * phi(5) + phi(5) * phi(0)) / 2, 12);
    // A value that fits one component is still every component's (not per unit).
    const same = modelState('model M(x, y) = mixture(k = 2, weights = [0.5, 0.5]) of Normal(diag, mean = [0, 5], sd = 1)', 'M');
    expect(Array.from(same.values.get(inputOf(same, 'Normal').params['mean']!)!)).toEqual([0, 5, 0, 5]);
  });

  it('names a wrong shape, a bad unit and an unfixed indicator on the argument', () => {
    const errs = (text: string): string[] => {
      const { program, diagnostics } = compile(text, join(tempDir(), 'm.pmix'));
      const out = diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.span?.startLine}:${d.span?.startColumn} ${d.message}`);
      if (out.length || !program) return out;
      try {
        new Session(program).stateOf('M');
        return [];
      } catch (e) {
        const ds = (e as { diagnostics?: { span?: { startLine: number; startColumn: number }; message: string }[] }).diagnostics;
        return ds ? ds.map((d) => `${d.span?.startLine}:${d.span?.startColumn} ${d.message}`) : [(e as Error).message];
      }
    };
    expect(errs('model M(x) = mixture(k = 3) of Normal(mean = [0, 1], sd = 1)')).toEqual([expect.stringMatching(/^1:39 Normal: /)]);
    const hint = compile('model M(x) = mixture(k = 3) of Normal(mean = [0, 1], sd = 1)\nquery M: mean(x)', join(tempDir(), 'm.pmix'));
    const lowered = (() => {
      try {
        new Session(hint.program!).stateOf('M');
      } catch (e) {
        return (e as { diagnostics?: { hint?: string }[] }).diagnostics?.[0]?.hint;
      }
    })();
    expect(lowered).toBe('to give each of the 3 units its own mean, write a list of 3 entries, one per unit');
    // Over several variables a number per unit would be broadcast: a per-variable list of the wrong length stays an error.
    expect(errs('model M(x, y, z) = mixture(k = 2) of Bernoulli(p = [0.2, 0.5])')).toEqual(['1:48 Bernoulli: p must have 3 entries (one per variable) or be one number, got 2']);
    expect(errs('model M(x) = mixture(k = 2) of Bernoulli(p = [0, 2] fixed)')).toEqual(['1:42 Bernoulli: unit 2 of 2: p must be in [0, 1]']);
    expect(errs('model M(x) = mixture(k = 2) of Bernoulli(p = [0, 1])')).toEqual(['1:42 Bernoulli: p = 0 or 1 can only be fixed (a learned value stays inside (0, 1))']);
    expect(errs('model M(x) = Bernoulli(p = [0.5, 0.5])')).toEqual(['1:24 Bernoulli: p must have 1 entry (one per variable) or be one number, got 2']);
  });
});
