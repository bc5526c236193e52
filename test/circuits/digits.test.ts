// The acceptance run on binarized digits (examples/data/digits-*.csv: scikit-learn's digits,
// pixel > 7 -> 1, 80/20 split by numpy RandomState(0), scripts/make-digits.py): a quad-tree
// circuit fitted by EM beats, in test mean log-likelihood, a Chow-Liu tree and a 20-component
// Bernoulli mixture fitted by pmix's own mixture EM. (Shortened fits; README has the full run.)
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { compile } from '../../compiler/compile.js';
import { fitChowLiu } from '../../circuits/region-graph/index.js';
import { selectColumns } from '../../runtime/data/dataset.js';
import { logDensityRows } from '../../runtime/evaluate.js';
import { Session } from '../../session/session.js';

const root = new URL('../../', import.meta.url).pathname;
const file = join(root, 'examples/digits.pmix');

function testLogLikelihood(session: Session, model: string): number {
  const state = session.fitted.get(model)!.state;
  const test = session.dataset('test');
  const x = selectColumns(test, state.graph.vars.map((v) => v.name));
  const lp = logDensityRows(state, x, test.rows);
  return lp.reduce((a, b) => a + b, 0) / test.rows;
}

describe('binarized digits', () => {
  it('the quad-tree circuit beats a Chow-Liu tree and a 20-component Bernoulli mixture on the test split', () => {
    const cols = Array.from({ length: 64 }, (_, i) => `p${String(i).padStart(2, '0')}: int`).join(', ');
    const text = readFileSync(file, 'utf8')
      .replace(/^fit Digits .*$/m, 'fit Digits on train by em(max_iter = 15, smoothing = 0.01, seed = 1)')
      .replace(/^model Digits = circuit \{[\s\S]*?^\}/m, 'model Digits = circuit { region quad_tree(width = 8, arity = 4) inputs Bernoulli sum(units = 16) }')
      .replace(/^query .*$/gm, '')
      .concat(`\ndata test from "data/digits-test.csv" { ${cols} }\n`);
    const { program, diagnostics } = compile(text, file);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const s = new Session(program!);
    for (const st of program!.steps) if (st.kind === 'fit') s.fit(st);
    const circuit = testLogLikelihood(s, 'Digits');
    const mixture = testLogLikelihood(s, 'Mixture');
    const train = s.dataset('train');
    const test = s.dataset('test');
    const vars = train.columns.map((c, i) => ({ index: i, kind: 'discrete' as const, levels: 2 }));
    const clt = fitChowLiu(selectColumns(train, train.columns.map((c) => c.name)), train.rows, vars, { cptAlpha: 0.5 });
    const tree = clt.meanLogLikelihood(selectColumns(test, test.columns.map((c) => c.name)), test.rows);
    console.log(`digits test mean log-likelihood: circuit ${circuit.toFixed(3)}, Bernoulli mixture (k = 20) ${mixture.toFixed(3)}, Chow-Liu tree ${tree.toFixed(3)}`);
    expect(circuit).toBeGreaterThan(mixture);
    expect(circuit).toBeGreaterThan(tree);
    expect(mixture).toBeGreaterThan(-25);
  }, 120_000);
});
