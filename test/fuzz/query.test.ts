// Fuzzes query strings (random and built from the query grammar's pieces, with extreme
// values) through parseQuery and a family's answer on fitted models: an answer without NaN, or
// diagnostics / a QueryError, never another exception.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseQuery } from '../../language/parse.js';
import { familyOf } from '../../families/index.js';
import { Session } from '../../session/session.js';
import type { ModelState } from '../../runtime/state.js';
import type { IRVariable } from '../../ir/types.js';
import { compileOk } from '../helpers/programs.js';
import { makeCorpus } from './corpus.js';
import { reportCases, runs, seed } from './config.js';
import { EXTREMES } from './mutate.js';
import { findNaN, isExpected } from './pipeline.js';

/** Every model the seeds fit, fitted briefly. */
function fittedModels(): ModelState[] {
  const corpus = makeCorpus(40);
  const out: ModelState[] = [];
  for (const text of corpus.seeds) {
    const program = compileOk(text, `${corpus.dir}/q.pmix`);
    const s = new Session(program);
    for (const st of program.steps) {
      if (st.kind !== 'fit') continue;
      s.fit({ ...st, settings: st.settings.method === 'em' ? { ...st.settings, maxIter: 10, restarts: 1 } : { ...st.settings, epochs: 2 } });
      out.push(s.fitted.get(st.model)!.state);
    }
  }
  return out;
}

const models = fittedModels();
const NUMBERS = ['0', '1', '-2.5', '3', '40', '200', '4000', ...EXTREMES];
const ODD = ['"zz"', 'true', '[1, 2]', '1 / 0', 'sqrt(-1)', '2 ^ 1e9', 'pi', 'x', '""', '"USA"'];

/** A value for a variable: mostly of its type (levels, bools, numbers incl. extremes), sometimes not. */
function valueFor(v: IRVariable): fc.Arbitrary<string> {
  const typed =
    v.type.kind === 'categorical' ? fc.constantFrom(...v.type.levels.map((l) => JSON.stringify(l))) : v.type.kind === 'bool' ? fc.constantFrom('true', 'false', '0', '1') : fc.constantFrom(...NUMBERS);
  return fc.oneof({ weight: 6, arbitrary: typed }, { weight: 1, arbitrary: fc.constantFrom(...ODD, ...NUMBERS) });
}

/** Queries of every form over the model's variables, mostly well-formed, with extreme values. */
function queryText(vars: readonly IRVariable[]): fc.Arbitrary<string> {
  const assigns = fc.shuffledSubarray([...vars], { maxLength: Math.min(vars.length, 4) }).chain((vs) =>
    vs.length ? fc.tuple(...vs.map((v) => valueFor(v).map((x) => `${v.name} = ${x}`))).map((xs) => xs.join(', ')) : fc.constant(''),
  );
  const names = fc.shuffledSubarray(vars.map((v) => v.name), { minLength: 1, maxLength: Math.min(2, vars.length) }).map((ns) => ns.join(', '));
  const count = fc.constantFrom('1', '2', '3', '0', '-1', '2.5', '1e9', '1e300', 'nan');
  return fc.oneof(
    fc.tuple(fc.constantFrom('logp', 'p'), assigns, fc.option(assigns)).map(([f, a, b]) => `${f}(${a}${b ? ` | ${b}` : ''})`),
    fc.tuple(fc.constantFrom('p', 'mean'), names, fc.option(assigns)).map(([f, a, b]) => `${f}(${a}${b ? ` | ${b}` : ''})`),
    assigns.map((a) => `posterior(${a})`),
    assigns.map((a) => `mode(${a})`),
    fc.tuple(count, fc.constantFrom('', ', seed = 3', ', seed = -1', ', seed = 1e300', ', bad = 1')).map(([n, sd]) => `sample(${n}${sd})`),
    fc.tuple(fc.constantFrom('pp', 'median', 'logp', 'p'), fc.array(fc.constantFrom(...vars.map((v) => v.name), ...ODD, '=', '|', ','), { maxLength: 6 })).map(([f, xs]) => `${f}(${xs.join(' ')})`),
  );
}

let cases = 0;
let answered = 0;
afterAll(() => reportCases('queries', cases));

function ask(state: ModelState, text: string): void {
  cases++;
  const { query, diagnostics } = parseQuery(text);
  if (!query) {
    expect(diagnostics.length).toBeGreaterThan(0);
    return;
  }
  try {
    const a = familyOf(state.graph).answer(state, query, { vars: state.graph.vars, file: '<query>', constants: new Map() });
    answered++;
    const bad = findNaN(a);
    if (bad) throw new Error(`'${text}' answered NaN at ${bad}`);
  } catch (e) {
    if (!isExpected(e)) throw e;
  }
}

describe('queries on fitted models', () => {
  it('built from the grammar, with extreme values', () => {
    const arb = fc.nat({ max: models.length - 1 }).chain((m) => queryText(models[m]!.graph.vars).map((t) => [m, t] as const));
    fc.assert(fc.property(arb, ([m, t]) => ask(models[m]!, t)), { numRuns: runs(2000), seed: seed() });
    // Enough of them must be answered, not refused.
    expect(answered).toBeGreaterThan(runs(2000) / 10);
  });

  it('arbitrary strings', () => {
    fc.assert(fc.property(fc.nat({ max: models.length - 1 }), fc.string({ maxLength: 60 }), (m, t) => ask(models[m]!, t)), { numRuns: runs(500), seed: seed() });
  });
});
