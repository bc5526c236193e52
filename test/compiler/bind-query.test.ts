// The binder: query syntax to a typed BoundQuery (ir/query.ts), or diagnostics on spans. Values
// are checked against hand-written encodings; a fast-check property feeds it arbitrary query
// text and demands diagnostics, never an exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bindQuery, type BindOptions } from '../../compiler/bind-query.js';
import type { IRVariable } from '../../ir/types.js';
import { parseQuery } from '../../language/parse.js';
import { compile } from '../../compiler/compile.js';
import { Session } from '../../session/session.js';
import { tempDir } from '../helpers/programs.js';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';

const VARS: IRVariable[] = [
  { name: 'mpg', type: { kind: 'real' } },
  { name: 'cylinders', type: { kind: 'int' } },
  { name: 'origin', type: { kind: 'categorical', levels: ['USA', 'Europe', 'Japan'] } },
  { name: 'turbo', type: { kind: 'bool' } },
];
const MIXTURE: BindOptions = { vars: VARS, file: 'q.pmix', forms: ['logp', 'p', 'posterior', 'sample', 'mode', 'mean'], what: 'a mixture model' };
const GP: BindOptions = {
  vars: [{ name: 'x', type: { kind: 'real' } }, { name: 'z', type: { kind: 'real' } }, { name: 'y', type: { kind: 'real' } }],
  file: 'q.pmix',
  forms: ['predict', 'p', 'mean', 'logp'],
  what: 'a Gaussian process',
  roles: { inputs: [0, 1], outputs: [2] },
};

function bind(text: string, opts: BindOptions = MIXTURE) {
  const { query, diagnostics } = parseQuery(text, 'q.pmix');
  expect(diagnostics, text).toEqual([]);
  return bindQuery(query!, opts);
}

/** The bound query without spans. */
function ok(text: string, opts: BindOptions = MIXTURE): unknown {
  const r = bind(text, opts);
  expect(r.diagnostics.map((d) => d.message), text).toEqual([]);
  return JSON.parse(JSON.stringify(r.query, (k, v) => (k === 'span' || k === 'countSpan' ? undefined : v)));
}

function messages(text: string, opts: BindOptions = MIXTURE): string[] {
  const r = bind(text, opts);
  expect(r.query).toBeUndefined();
  return r.diagnostics.map((d) => d.message);
}

describe('binding queries to a model', () => {
  it('encodes values by type: a level as its index, bool as 0/1, int and real as they are', () => {
    expect(ok('logp(mpg = 20.5, cylinders = 4 | origin = "Japan", turbo = true)')).toEqual({
      kind: 'density', log: true, file: 'q.pmix',
      target: [{ v: 0, value: 20.5 }, { v: 1, value: 4 }],
      intervals: [],
      given: [{ v: 2, value: 2 }, { v: 3, value: 1 }],
    });
    expect(bind('p(mpg in [10, 2 * 10], cylinders in [-inf, 6])').query).toMatchObject({ intervals: [{ v: 0, lower: 10, upper: 20 }, { v: 1, lower: -Infinity, upper: 6 }] });
  });

  it('resolves the variables asked about: written ones, else every one not given', () => {
    expect(ok('p(origin, mpg | turbo = false)')).toEqual({ kind: 'distribution', file: 'q.pmix', target: [2, 0], given: [{ v: 3, value: 0 }] });
    expect(ok('mean(| origin = "USA")')).toEqual({ kind: 'mean', file: 'q.pmix', target: [0, 1, 3], given: [{ v: 2, value: 0 }] });
    expect(ok('sample(25, seed = 7 | cylinders = 8)')).toEqual({ kind: 'sample', file: 'q.pmix', count: 25, seed: 7, given: [{ v: 1, value: 8 }] });
    expect(ok('sample()')).toEqual({ kind: 'sample', file: 'q.pmix', count: 1, seed: 0, given: [] });
  });

  it("evaluates the program's constants once, here", () => {
    const constants = new Map<string, number | number[]>([['top', 50], ['c', 6], ['xs', [1, 2]]]);
    const r = bindQuery(parseQuery('logp(mpg = top / 2 | cylinders = c)').query!, { ...MIXTURE, constants });
    expect(r.diagnostics).toEqual([]);
    expect(r.query).toMatchObject({ target: [{ v: 0, value: 25 }], given: [{ v: 1, value: 6 }] });
    expect(bindQuery(parseQuery('predict(x = xs, z = c)').query!, { ...GP, constants }).query).toMatchObject({ points: [[1, 6], [2, 6]] });
    expect(bindQuery(parseQuery('logp(mpg = tpo)').query!, { ...MIXTURE, constants }).diagnostics).toMatchObject([{ code: 'bad-expression', message: "unknown name 'tpo' in an expression", hint: "did you mean 'top'?" }]);
  });

  it('reports every problem of a query, each on its span', () => {
    const r = bind('logp(mpg = "high", cylinders = 4.5, origin = "Japna", turbo = 2, wieght = 3)');
    expect(r.diagnostics.map((d) => [d.code, d.message, d.hint, d.span!.startColumn])).toEqual([
      ['type-mismatch', "'mpg' is real: give a finite number", undefined, 12],
      ['type-mismatch', "'cylinders' is int: give an integer", undefined, 32],
      ['type-mismatch', `"Japna" is not a level of 'origin' (levels: USA, Europe, Japan)`, "did you mean 'Japan'?", 46],
      ['type-mismatch', "'turbo' is bool: give true or false", undefined, 63],
      ['unknown-name', "'wieght' is not a variable of this model (its variables: mpg, cylinders, origin, turbo)", undefined, 66],
    ]);
    expect(r.diagnostics.every((d) => d.file === 'q.pmix')).toBe(true);
  });

  it('refuses values given twice, asked for and given, and nothing left to ask about', () => {
    expect(messages('logp(mpg = 1 | mpg = 2)')).toEqual(["'mpg' is given twice"]);
    expect(messages('p(mpg in [0, 1] | mpg = 2)')).toEqual(["'mpg' is given twice"]);
    expect(messages('p(mpg, mpg)')).toEqual(["'mpg' is asked for twice"]);
    expect(messages('mean(mpg | mpg = 2)')).toEqual(["'mpg' is both asked for and given"]);
    expect(messages('mode(mpg = 1, cylinders = 2, origin = "USA", turbo = false)')).toEqual(['every variable is given a value: there is nothing left to find the mode of']);
    expect(messages('mean(| mpg = 1, cylinders = 2, origin = "USA", turbo = false)')).toEqual(['every variable is given a value: there is nothing left to average']);
  });

  it('checks counts, seeds and intervals', () => {
    expect(messages('sample(0)')).toEqual(['sample(n) needs a whole number n between 1 and 10,000,000']);
    expect(messages('sample(2.5)')).toEqual(['sample(n) needs a whole number n between 1 and 10,000,000']);
    expect(messages('sample(1e8)')).toEqual(['sample(n) needs a whole number n between 1 and 10,000,000']);
    expect(messages('sample(3, sead = 1)')).toEqual(["sample takes seed = N, not 'sead'"]);
    expect(messages('sample(3, seed = "a")')).toEqual(['seed must be an integer']);
    expect(messages('p(origin in [0, 1])')).toEqual(["'origin' is categorical: an interval needs a real or int variable (write origin = value instead)"]);
    expect(messages('p(mpg in [3, 1])')).toEqual(['the interval [3, 1] is empty: its lower end is above its upper end']);
    expect(messages('p(mpg in ["a", 1])')).toEqual(['the ends of an interval must be numbers (-inf and inf: use a large number)']);
  });

  it('refuses forms the family does not answer, and unknown forms with a did-you-mean among those it does', () => {
    const r = bind('predict(mpg = 1)');
    expect(r.diagnostics.map((d) => [d.code, d.message, d.span!.endColumn - d.span!.startColumn])).toEqual([['unsupported-query', 'a mixture model does not answer predict(...); it answers logp(...), p(...), posterior(...), sample(...), mode(...), mean(...)', 7]]);
    const refused = bind('posterior(mpg = 1)', { ...MIXTURE, forms: ['logp', 'p'], refusals: { posterior: 'no mixture at the root' } });
    expect(refused.diagnostics.map((d) => d.message)).toEqual(['no mixture at the root']);
    const unknown = bind('lopg(mpg = 1)');
    expect(unknown.diagnostics).toMatchObject([{ code: 'unknown-query', message: "unknown query 'lopg'", hint: "did you mean 'logp'?" }]);
    expect(unknown.diagnostics[0]!.expected).toEqual(["'logp'", "'p'", "'posterior'", "'sample'", "'mode'", "'mean'"]);
    // A form only GPs answer is suggested to a GP, not to a mixture.
    expect(bind('predcit(x = 1)', GP).diagnostics[0]!.hint).toBe("did you mean 'predict'?");
    expect(bind('predcit(x = 1)').diagnostics[0]!.hint).toBeUndefined();
  });

  it("binds a family's own form as a call, without touching the grammar", () => {
    const opts = { ...MIXTURE, forms: [...MIXTURE.forms, 'modes'] };
    expect(ok('modes(mpg, bandwidth = 2.5, kernel = "epanechnikov", at = [1, 2] | origin = "Europe")', opts)).toEqual({
      kind: 'call', form: 'modes', file: 'q.pmix', targets: [0],
      args: { bandwidth: 2.5, kernel: 'epanechnikov', at: [1, 2] },
      argSpans: { bandwidth: expect.any(Object), kernel: expect.any(Object), at: expect.any(Object) },
      given: [{ v: 2, value: 1 }],
    });
    const own = bind('modes(__proto__ = 1, constructor = 2)', opts).query;
    expect(own?.kind === 'call' && [Object.keys(own.args), own.args['__proto__'], own.args['constructor']]).toEqual([['__proto__', 'constructor'], 1, 2]);
    expect(messages('modes(mpgg)', opts)).toEqual(["'mpgg' is not a variable of this model (its variables: mpg, cylinders, origin, turbo)"]);
    expect(messages('modes(mpg in [0, 1])', opts)).toEqual(["modes(...) takes variable names and arguments 'name = value', not the interval 'mpg in [...]'"]);
  });

  it('binds GP queries to points of the inputs (vectors broadcast)', () => {
    expect(ok('predict(x = [1, 2, 3], z = 0, samples = 2, seed = 4)', GP)).toEqual({ kind: 'predict', file: 'q.pmix', points: [[1, 0], [2, 0], [3, 0]], samples: 2, seed: 4 });
    expect(ok('p(y | x = 1, z = 2)', GP)).toEqual({ kind: 'predictive', file: 'q.pmix', summary: 'distribution', outputs: [2], point: [1, 2] });
    expect(ok('logp(y = [0.5, 1] | x = [1, 2], z = 0)', GP)).toEqual({ kind: 'predictive-density', file: 'q.pmix', log: true, output: 2, values: [0.5, 1], points: [[1, 0], [2, 0]] });
    expect(messages('predict(x = 1)', GP)).toEqual(['give every input of the GP: z = ...']);
    expect(messages('predict(x = [1, 2], z = [1, 2, 3])', GP)).toEqual(["the inputs' vectors differ in length (x has 2, another 3)"]);
    expect(messages('predict(x = 1, z = 1, y = 2)', GP)).toEqual(["'y' is the GP's output, not an input"]);
    expect(messages('predict(x = 1, zz = 1)', GP)).toEqual(["'zz' is not an input of this GP (its inputs: x, z)", 'give every input of the GP: z = ...']);
    expect(messages('predict(x = 1, z = 1, samples = -1)', GP)).toEqual(['samples must be a whole number >= 0']);
    expect(messages('logp(y = [1, 2, 3] | x = [1, 2], z = 0)', GP)).toEqual(["'y' has 3 values for 2 points"]);
    expect(messages('mean(x | x = 1, z = 1)', GP)[0]).toMatch(/a GP answers about its output \(y\) given its inputs; 'x' is not one/);
    expect(messages('sample(3)', GP)).toEqual(['a Gaussian process does not answer sample(...); it answers predict(...), p(...), mean(...), logp(...)']);
  });

  it('never throws: arbitrary query text binds or gives diagnostics (property)', () => {
    const pieces = ['logp', 'p', 'mean', 'mode', 'sample', 'posterior', 'predict', 'modes', 'lopg', '(', ')', '|', ',', '=', ' in ', '[', ']', 'mpg', 'origin', 'turbo', 'cylinders', 'x', 'y', 'z', '"USA"', '"Japna"', 'true', '1', '-2.5', '0', '1e400', 'inf', 'seed', 'samples', '[1, 2]', '[[1], [2]]', '1 / 0', 'nope', ' '];
    const text = fc.oneof(
      fc.array(fc.constantFrom(...pieces), { maxLength: 24 }).map((p) => p.join('')),
      fc.tuple(fc.constantFrom('logp', 'p', 'mean', 'mode', 'sample', 'predict', 'modes'), fc.array(fc.constantFrom(...pieces.slice(8)), { maxLength: 16 })).map(([f, p]) => `${f}(${p.join('')})`),
    );
    const targets = [MIXTURE, GP, { ...MIXTURE, forms: [...MIXTURE.forms, 'modes'] }];
    let bound = 0;
    fc.assert(
      fc.property(text, fc.nat(2), (t, which) => {
        const { query } = parseQuery(t);
        if (!query) return;
        const r = bindQuery(query, { ...targets[which]!, constants: new Map([['k', 2]]) });
        // Exactly one of: a query, or at least one error diagnostic with a file.
        expect(r.query === undefined).toBe(r.diagnostics.length > 0);
        for (const d of r.diagnostics) expect(d.file).toBe('q.pmix');
        if (r.query) bound++;
      }),
      { numRuns: 3000 },
    );
    expect(bound).toBeGreaterThan(0);
  });
});

describe('pmix check binds every query before anything is fitted', () => {
  it('reports all the query errors of a file and fits nothing', () => {
    const dir = tempDir();
    copyFileSync(new URL('../../examples/data/cars.csv', import.meta.url), join(dir, 'cars.csv'));
    const text = [
      'data cars from "cars.csv" { mpg: real, cylinders: int, origin: categorical("USA", "Europe", "Japan") }',
      'model Cars = mixture(k = 2) of product { mpg: Normal, cylinders: Poisson, origin: Categorical }',
      'fit Cars on cars by em()',
      'query Cars: p(mpg | origin = "Germany")',
      'query Cars: logp(mpg = 20)',
      'query Cars: mean(mpgg)',
    ].join('\n');
    const { program } = compile(text, join(dir, 'cars.pmix'));
    const s = new Session(program!);
    const ds = s.check();
    expect(ds.map((d) => `${d.span!.startLine}:${d.span!.startColumn} ${d.message}`)).toEqual([
      `4:30 "Germany" is not a level of 'origin' (levels: USA, Europe, Japan)`,
      "6:18 'mpgg' is not a variable of this model (its variables: mpg, cylinders, origin)",
    ]);
    expect(s.fitted.size).toBe(0);
  });
});
