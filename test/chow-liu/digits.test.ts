// Acceptance: `chow_liu(alpha = 0.01)` fitted on the binarized digits
// (examples/data/digits-*.csv, pixel > 7 -> 1 as examples/digits.pmix) has the test
// log-likelihood of a Chow-Liu tree written in the test (./reference.ts) to 1e-9.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { compile } from '../../compiler/compile.js';
import { chowLiuParents } from '../../circuits/chow-liu/index.js';
import { selectColumns } from '../../runtime/data/dataset.js';
import { logDensityRows } from '../../runtime/evaluate.js';
import { Session } from '../../session/session.js';
import { edgeSet, referenceChowLiu, referenceLogLikelihood } from './reference.js';

const root = new URL('../../', import.meta.url).pathname;
const cols = Array.from({ length: 64 }, (_, i) => `p${String(i).padStart(2, '0')}: int`).join(', ');

function rowsOf(x: Float64Array, n: number, d: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * d, (i + 1) * d)));
}

describe('chow_liu on binarized digits', () => {
  it('matches an independent Chow-Liu tree in test log-likelihood to 1e-9', () => {
    const text = `
      data train from "${join(root, 'examples/data/digits-train.csv')}" { ${cols} }
      data test from "${join(root, 'examples/data/digits-test.csv')}" { ${cols} }
      model T = chow_liu(alpha = 0.01)
      fit T on train by em
    `;
    const { program, diagnostics } = compile(text, join(root, 'x.pmix'));
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const s = new Session(program!);
    const summary = s.fit(program!.steps.find((st) => st.kind === 'fit')!);
    const state = s.fitted.get('T')!.state;
    const names = state.graph.vars.map((v) => v.name);
    const train = s.dataset('train');
    const test = s.dataset('test');
    const xTrain = selectColumns(train, names);
    const xTest = selectColumns(test, names);
    const ref = referenceChowLiu(rowsOf(xTrain, train.rows, 64), new Array(64).fill(2), 0.01);
    expect(edgeSet(chowLiuParents(state.graph))).toEqual(edgeSet(ref.parent));
    const mean = (ll: ArrayLike<number>): number => Array.from(ll).reduce((a, b) => a + b, 0) / ll.length;
    const want = mean(rowsOf(xTest, test.rows, 64).map((r) => referenceLogLikelihood(ref, r)));
    const got = mean(logDensityRows(state, xTest, test.rows));
    expect(Math.abs(got - want)).toBeLessThan(1e-9);
    // The fit summary: training log-likelihood and the classic parameter count (63 edges x 2 + 1).
    const trainWant = mean(rowsOf(xTrain, train.rows, 64).map((r) => referenceLogLikelihood(ref, r)));
    expect(Math.abs(summary.mean_log_likelihood - trainWant)).toBeLessThan(1e-9);
    expect(state.freeParameterCount()).toBe(63 * 2 + 1);
    console.log(`chow_liu(alpha = 0.01) on digits: train ${trainWant.toFixed(4)}, test ${got.toFixed(4)}`);
  }, 60_000);
});
