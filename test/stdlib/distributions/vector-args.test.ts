// A univariate family over several variables takes one value per variable (issue 22, item 4):
// Bernoulli(p = [...]) like Normal(diag, mean = [...]); a number is every variable's value; a
// length mismatch or an entry out of range is a diagnostic on the argument. Checked on the
// family, in mixtures, in circuits and in squared circuits, against densities computed here.
import { describe, expect, it } from 'vitest';
import { getDistribution } from '../../../stdlib/distributions/index.js';
import type { LayerContext } from '../../../stdlib/distributions/index.js';
import { lowerModel } from '../../../compiler/lower.js';
import type { IRVariable } from '../../../ir/types.js';
import { ModelState } from '../../../runtime/state.js';
import { logDensityRows } from '../../../runtime/evaluate.js';
import { squaredLogDensity } from '../../../runtime/squared/squared-model.js';
import { compileOk } from '../../helpers/programs.js';

const bern = getDistribution('Bernoulli')!;
const ctx = (dims: number): LayerContext => ({ dims, units: 1, variant: '', levels: new Array<number>(dims).fill(0) });
const bools = (k: number): IRVariable[] => Array.from({ length: k }, (_, i) => ({ name: `b${i}`, type: { kind: 'bool' } }));

function lowered(body: string, vars: IRVariable[]): ModelState {
  const { graph, diagnostics } = lowerModel(compileOk(`model M = ${body}`), 'M', vars);
  if (!graph) throw new Error(diagnostics.map((d) => d.message).join('; '));
  return new ModelState(graph);
}

describe('Bernoulli: a vector p, one per variable', () => {
  it('fromArgs: a vector gives each variable its p, a number broadcasts', () => {
    expect(bern.fromArgs({ p: [0.2, 0.5, 0.9] }, ctx(3))).toEqual({ values: { p: [0.2, 0.5, 0.9] }, errors: [] });
    expect(bern.fromArgs({ p: 0.3 }, ctx(3))).toEqual({ values: { p: [0.3, 0.3, 0.3] }, errors: [] });
    expect(bern.fromArgs({ p: [0.4] }, ctx(1))).toEqual({ values: { p: [0.4] }, errors: [] });
  });

  it('fromArgs: a length mismatch and an entry out of range are errors naming the argument (and the entry)', () => {
    expect(bern.fromArgs({ p: [0.2, 0.5] }, ctx(3))).toEqual({ values: {}, errors: [{ arg: 'p', message: 'p must have 3 entries (one per variable) or be one number, got 2' }] });
    const r = bern.fromArgs({ p: [0.2, 1.5, 0.9] }, ctx(3));
    expect(r.values).toEqual({});
    expect(r.errors).toEqual([{ arg: 'p', message: 'p (entry 2 of 3) must be in [0, 1]' }]);
    expect(bern.fromArgs({ p: [[0.2, 0.5]] }, ctx(2)).errors[0]!.message).toBe('p must be a number');
  });

  it('in a mixture: the density is the product of the per-variable Bernoullis', () => {
    const s = lowered('mixture(weights = [0.3, 0.7]) { Bernoulli(p = [0.2, 0.5, 0.9]), Bernoulli(p = 0.6) }', bools(3));
    const ps = [
      [0.2, 0.5, 0.9],
      [0.6, 0.6, 0.6],
    ];
    const rows: number[][] = [];
    for (let m = 0; m < 8; m++) rows.push([m & 1, (m >> 1) & 1, (m >> 2) & 1]);
    const lp = logDensityRows(s, Float64Array.from(rows.flat()), rows.length);
    rows.forEach((x, i) => {
      const ref = [0.3, 0.7].reduce((t, w, k) => t + w * x.reduce((q, b, j) => q * (b ? ps[k]![j]! : 1 - ps[k]![j]!), 1), 0);
      expect(lp[i]!).toBeCloseTo(Math.log(ref), 12);
    });
  });

  it('a length mismatch in model text is a diagnostic on the argument, not a crash', () => {
    const text = 'model M = mixture(k = 2) of Bernoulli(p = [0.2, 0.5])';
    const r = lowerModel(compileOk(text), 'M', bools(3));
    expect(r.graph).toBeUndefined();
    const d = r.diagnostics.find((x) => x.severity === 'error')!;
    expect(d.code).toBe('bad-value');
    expect(d.message).toBe('Bernoulli: p must have 3 entries (one per variable) or be one number, got 2');
    expect(text.slice(d.span!.startOffset, d.span!.endOffset)).toBe('p = [0.2, 0.5]');
  });

  it('in a circuit: inputs Bernoulli(p = [...]) gives each input region its vector (one entry per variable of the region, like Normal(diag, mean = [...]))', () => {
    const s = lowered('circuit { region random_tree(depth = 1) inputs Bernoulli(p = [0.2, 0.7] fixed) sum(units = 2) }', bools(4));
    const inputs = s.graph.nodes.filter((n) => n.kind === 'input');
    expect(inputs.length).toBe(2);
    for (const n of inputs) {
      expect(n.scope.length).toBe(2);
      const p = s.param(`${n.id}.p`);
      expect(p.fixed).toBe(true);
      expect(Array.from(s.values.get(`${n.id}.p`)!)).toEqual([0.2, 0.7, 0.2, 0.7]); // 2 units x 2 variables
    }
    const bad = lowerModel(compileOk('model M = circuit { region random_tree(depth = 1) inputs Bernoulli(p = [0.2, 0.7, 0.5]) sum(units = 2) }'), 'M', bools(4));
    expect(bad.diagnostics.some((d) => d.message === 'Bernoulli: p must have 2 entries (one per variable) or be one number, got 3')).toBe(true);
  });

  it('in a squared mixture: p(x) = c(x)^2 / Z by enumeration', () => {
    const s = lowered('square(mixture(weights = [1, -0.5]) { Bernoulli(p = [0.2, 0.9]), Bernoulli(p = [0.6, 0.3]) })', bools(2));
    const ps = [
      [0.2, 0.9],
      [0.6, 0.3],
    ];
    const c = (x: number[]): number => [1, -0.5].reduce((t, w, k) => t + w * x.reduce((q, b, j) => q * (b ? ps[k]![j]! : 1 - ps[k]![j]!), 1), 0);
    const rows = [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ];
    const Z = rows.reduce((t, x) => t + c(x) ** 2, 0);
    const lp = squaredLogDensity(s, Float64Array.from(rows.flat()), 4);
    rows.forEach((x, i) => expect(lp[i]!).toBeCloseTo(Math.log(c(x) ** 2 / Z), 12));
  });

  it('other families with scalar parameters take vectors the same way; Categorical keeps its vector over levels', () => {
    expect(getDistribution('Poisson')!.fromArgs({ rate: [1, 2.5] }, ctx(2)).values).toEqual({ rate: [1, 2.5] });
    const cat = getDistribution('Categorical')!.fromArgs({ probs: [0.2, 0.8] }, { dims: 1, units: 1, variant: '', levels: [2] });
    expect(cat.errors).toEqual([]);
    expect(cat.values['probs']).toEqual([0.2, 0.8]);
  });
});
