// Golden tests of diagnostics: for each kind of bad model text, the exact message pmix
// prints (file:line:col, the source line, a caret, what was expected, a did-you-mean hint).
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import type { Diagnostic } from '../../language/diagnostics.js';
import { renderDiagnostic } from '../../language/render.js';
import { QueryError } from '../../runtime/queries/evidence.js';
import { Session } from '../../session/session.js';
import { tempDir } from '../helpers/programs.js';

const dir = tempDir();
copyFileSync(new URL('../../examples/data/penguins.csv', import.meta.url), join(dir, 'p.csv'));
copyFileSync(new URL('../../examples/data/cars.csv', import.meta.url), join(dir, 'cars.csv'));
copyFileSync(new URL('../../examples/data/gp-toy.csv', import.meta.url), join(dir, 'toy.csv'));

// Query errors `pmix check` finds by binding each query to its model, before anything is fitted.
const CARS = `data cars from "cars.csv" { mpg: real, cylinders: int, origin: categorical("USA", "Europe", "Japan") }\nmodel Cars = mixture(k = 2) of product { mpg: Normal, cylinders: Poisson, origin: Categorical }\nfit Cars on cars by em()`;
const TOY = `data toy from "toy.csv" { x: real, y: real }\nmodel Toy = gp(x -> y) { kernel = rbf(ls = 1) }\nfit Toy on toy by lbfgs()`;

const cases: Record<string, string> = {
 syntax: `model M = mixture(k = 3 of Normal`,
 unknownDist: `data d from "p.csv" { bill_length_mm: real }\nmodel M = mixture(k = 2) of Normormal\nfit M on d by em()`,
 typeMismatch: `data d from "p.csv" { species: categorical }\nmodel M = mixture(k = 2) of Normal\nfit M on d by em()`,
 badParam: `model M(x) = Normal(mean = 0, sd = -1)\nquery M: logp(x = 0)`,
 missingFile: `data d from "nope.csv" { x: real }\nmodel M = Normal\nfit M on d by em()`,
 wrongColumn: `data d from "p.csv" { bill_lenght_mm: real }\nmodel M = Normal\nfit M on d by em()`,
 unknownMethod: `data d from "p.csv" { bill_length_mm: real }\nmodel M = Normal\nfit M on d by eem(max_iter = 10)`,
 unknownArg: `data d from "p.csv" { bill_length_mm: real }\nmodel M = Normal\nfit M on d by em(max_iters = 10)`,
 badWeights: `model M(x) = mixture(weights = [0.5, 0.6]) { Normal(mean = 0, sd = 1), Normal(mean = 1, sd = 1) }`,
 recursive: `model A(x) = mixture(k = 2) of B\nmodel B = A`,
 duplicate: `model A(x) = Normal(mean = 0, sd = 1)\nmodel A(x) = Normal(mean = 1, sd = 1)`,
 uncovered: `data d from "p.csv" { bill_length_mm: real, bill_depth_mm: real, species: categorical }\nmodel M(bill_length_mm, bill_depth_mm, species) = product { bill_length_mm: Normal, species: Categorical }\nfit M on d by em()`,
 unknownVarQuery: `model M(x) = Normal(mean = 0, sd = 1)\nquery M: logp(y = 0)`,
 unknownParam: `model M(x) = Normal(mean = 0, sdd = 1)`,
 unknownModelFit: `data d from "p.csv" { bill_length_mm: real }\nfit Mm on d by em()`,
 badK: `data d from "p.csv" { bill_length_mm: real }\nmodel M = mixture(k = 0) of Normal\nfit M on d by em()`,
 queryUnknownVar: `${CARS}\nquery Cars: p(mpg | orign = "USA")`,
 queryUnknownLevel: `${CARS}\nquery Cars: p(mpg | origin = "Germany")`,
 queryNearLevel: `${CARS}\nquery Cars: p(mpg | origin = "Japna")`,
 queryWrongType: `${CARS}\nquery Cars: logp(mpg = "high", cylinders = 4.5)`,
 queryGivenTwice: `${CARS}\nquery Cars: logp(mpg = 20 | mpg = 30)\nquery Cars: mean(mpg | mpg = 20)`,
 queryUnknownForm: `${CARS}\nquery Cars: lopg(mpg = 20)`,
 queryPredictOnMixture: `${CARS}\nquery Cars: predict(mpg = 20)`,
 queryPosteriorOnGp: `${TOY}\nquery Toy: posterior(x = 1)\nquery Toy: mode()`,
 queryGpInputs: `${TOY}\nquery Toy: predict(z = 1)\nquery Toy: p(y | x = [1, 2])`,
 querySampleCount: `${CARS}\nquery Cars: sample(0, seed = 1.5)`,
 queryInterval: `${CARS}\nquery Cars: p(origin in [0, 1], mpg in [30, 20])`,
};

const golden: Record<string, string> = {
  syntax: "syntax | <dir>/syntax.pmix:1:25: error: expected ')' but found 'of'\n  model M = mixture(k = 3 of Normal\n                          ^^\n  expected: ')' or ','",
  unknownDist: "unknown-name | <dir>/unknownDist.pmix:2:29: error: unknown distribution or model 'Normormal'\n  model M = mixture(k = 2) of Normormal\n                              ^^^^^^^^^\n  hint: did you mean 'Normal'?",
  typeMismatch: "type-mismatch | <dir>/typeMismatch.pmix:2:29: error: Normal models a real column, but 'species' is a categorical column (levels Adelie, Chinstrap, Gentoo)\n  model M = mixture(k = 2) of Normal\n                              ^^^^^^\n  hint: for a categorical column (levels Adelie, Chinstrap, Gentoo) use Categorical",
  badParam: "bad-value | <dir>/badParam.pmix:1:31: error: Normal: sd must be > 0\n  model M(x) = Normal(mean = 0, sd = -1)\n                                ^^^^^^^",
  missingFile: "missing-data-file | <dir>/missingFile.pmix:1:13: error: cannot read data file '<dir>/nope.csv' for data set 'd': no such file\n  data d from \"nope.csv\" { x: real }\n              ^^^^^^^^^^",
  wrongColumn: "unknown-column | <dir>/wrongColumn.pmix:1:23: error: column 'bill_lenght_mm' is not in the header of '<dir>/p.csv' (it has: species, island, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, sex)\n  data d from \"p.csv\" { bill_lenght_mm: real }\n                        ^^^^^^^^^^^^^^\n  hint: did you mean 'bill_length_mm'?",
  unknownMethod: "unknown-name | <dir>/unknownMethod.pmix:3:15: error: unknown fit method 'eem' (known: em, adam, lbfgs, incremental, online)\n  fit M on d by eem(max_iter = 10)\n                ^^^\n  hint: did you mean 'em'?",
  unknownArg: "unknown-argument | <dir>/unknownArg.pmix:3:18: error: em has no argument 'max_iters' (it takes max_iter, tol, restarts, init, reg_covar, seed, batch, step_size, smoothing, validation, patience, stream, chunk, init_rows, labels, per_class)\n  fit M on d by em(max_iters = 10)\n                   ^^^^^^^^^\n  hint: did you mean 'max_iter'?",
  badWeights: "bad-value | <dir>/badWeights.pmix:1:22: error: mixture weights must sum to 1 (they sum to 1.1)\n  model M(x) = mixture(weights = [0.5, 0.6]) { Normal(mean = 0, sd = 1), Normal(mean = 1, sd = 1) }\n                       ^^^^^^^^^^^^^^^^^^^^",
  recursive: "recursive-model | <dir>/recursive.pmix:2:11: error: model 'A' refers to itself (A -> B -> A)\n  model B = A\n            ^",
  duplicate: "duplicate-name | <dir>/duplicate.pmix:2:7: error: 'A' is already defined as a model\n  model A(x) = Normal(mean = 1, sd = 1)\n        ^",
  uncovered: "uncovered-variables | <dir>/uncovered.pmix:2:51: error: the product leaves 'bill_depth_mm' unmodelled; add a part for them\n  model M(bill_length_mm, bill_depth_mm, species) = product { bill_length_mm: Normal, species: Categorical }\n                                                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
  unknownVarQuery: "unknown-name | <dir>/unknownVarQuery.pmix:2:15: error: 'y' is not a variable of this model (its variables: x)\n  query M: logp(y = 0)\n                ^",
  unknownParam: "unknown-argument | <dir>/unknownParam.pmix:1:31: error: Normal has no parameter 'sdd' (it has mean, sd, var, cov)\n  model M(x) = Normal(mean = 0, sdd = 1)\n                                ^^^\n  hint: did you mean 'sd'?",
  unknownModelFit: "unknown-name | <dir>/unknownModelFit.pmix:2:5: error: unknown model 'Mm'\n  fit Mm on d by em()\n      ^^",
  badK: "bad-value | <dir>/badK.pmix:2:19: error: k must be a positive integer, got 0\n  model M = mixture(k = 0) of Normal\n                    ^^^^^",
  queryUnknownVar: "unknown-name | <dir>/queryUnknownVar.pmix:4:21: error: 'orign' is not a variable of this model (its variables: mpg, cylinders, origin)\n  query Cars: p(mpg | orign = \"USA\")\n                      ^^^^^\n  hint: did you mean 'origin'?",
  queryUnknownLevel: "type-mismatch | <dir>/queryUnknownLevel.pmix:4:30: error: \"Germany\" is not a level of 'origin' (levels: USA, Europe, Japan)\n  query Cars: p(mpg | origin = \"Germany\")\n                               ^^^^^^^^^",
  queryNearLevel: "type-mismatch | <dir>/queryNearLevel.pmix:4:30: error: \"Japna\" is not a level of 'origin' (levels: USA, Europe, Japan)\n  query Cars: p(mpg | origin = \"Japna\")\n                               ^^^^^^^\n  hint: did you mean 'Japan'?",
  queryWrongType: "type-mismatch | <dir>/queryWrongType.pmix:4:24: error: 'mpg' is real: give a finite number\n  query Cars: logp(mpg = \"high\", cylinders = 4.5)\n                         ^^^^^^\ntype-mismatch | <dir>/queryWrongType.pmix:4:44: error: 'cylinders' is int: give an integer\n  query Cars: logp(mpg = \"high\", cylinders = 4.5)\n                                             ^^^",
  queryGivenTwice: "bad-query | <dir>/queryGivenTwice.pmix:4:18: error: 'mpg' is given twice\n  query Cars: logp(mpg = 20 | mpg = 30)\n                   ^^^\nbad-query | <dir>/queryGivenTwice.pmix:5:18: error: 'mpg' is both asked for and given\n  query Cars: mean(mpg | mpg = 20)\n                   ^^^",
  queryUnknownForm: "unknown-query | <dir>/queryUnknownForm.pmix:4:13: error: unknown query 'lopg'\n  query Cars: lopg(mpg = 20)\n              ^^^^\n  expected: 'logp', 'p', 'posterior', 'sample', 'mode' or 'mean'\n  hint: did you mean 'logp'?",
  queryPredictOnMixture: "unsupported-query | <dir>/queryPredictOnMixture.pmix:4:13: error: predict(...) is a query of Gaussian process models; this model answers logp, p, posterior, sample, mode and mean\n  query Cars: predict(mpg = 20)\n              ^^^^^^^",
  queryPosteriorOnGp: "unsupported-query | <dir>/queryPosteriorOnGp.pmix:4:12: error: a GP answers predict(...), p(y | x = ...), mean(y | x = ...) and logp(y = ... | x = ...), not posterior(...); e.g. predict(x = ...)\n  query Toy: posterior(x = 1)\n             ^^^^^^^^^\nunsupported-query | <dir>/queryPosteriorOnGp.pmix:5:12: error: a GP answers predict(...), p(y | x = ...), mean(y | x = ...) and logp(y = ... | x = ...), not mode(...); e.g. predict(x = ...)\n  query Toy: mode()\n             ^^^^",
  queryGpInputs: "unknown-name | <dir>/queryGpInputs.pmix:4:20: error: 'z' is not an input of this GP (its inputs: x)\n  query Toy: predict(z = 1)\n                     ^\nbad-query | <dir>/queryGpInputs.pmix:4:12: error: give every input of the GP: x = ...\n  query Toy: predict(z = 1)\n             ^^^^^^^^^^^^^^\nbad-query | <dir>/queryGpInputs.pmix:5:12: error: p(...) takes one point; use predict(...) for several\n  query Toy: p(y | x = [1, 2])\n             ^^^^^^^^^^^^^^^^^",
  querySampleCount: "bad-query | <dir>/querySampleCount.pmix:4:20: error: sample(n) needs a whole number n between 1 and 10,000,000\n  query Cars: sample(0, seed = 1.5)\n                     ^\nbad-query | <dir>/querySampleCount.pmix:4:23: error: seed must be an integer\n  query Cars: sample(0, seed = 1.5)\n                        ^^^^^^^^^^",
  queryInterval: "type-mismatch | <dir>/queryInterval.pmix:4:15: error: 'origin' is categorical: an interval needs a real or int variable (write origin = value instead)\n  query Cars: p(origin in [0, 1], mpg in [30, 20])\n                ^^^^^^^^^^^^^^^^\nbad-query | <dir>/queryInterval.pmix:4:33: error: the interval [30, 20] is empty: its lower end is above its upper end\n  query Cars: p(origin in [0, 1], mpg in [30, 20])\n                                  ^^^^^^^^^^^^^^^",
};

/** What `pmix check` (which binds every query before any fit) followed by running the queries reports for a model text. */
function diagnose(name: string, text: string): Diagnostic[] {
  const file = join(dir, `${name}.pmix`);
  const { program, diagnostics } = compile(text, file);
  if (!program) return diagnostics;
  const s = new Session(program);
  const checked = s.check();
  if (checked.length) return checked;
  for (const st of program.steps) {
    if (st.kind !== 'query') continue;
    try {
      s.query(st.model, st.query);
    } catch (e) {
      if (e instanceof QueryError) return e.diagnostics;
      throw e;
    }
  }
  return [];
}

describe('diagnostics for bad model text', () => {
  for (const [name, text] of Object.entries(cases)) {
    it(name, () => {
      const ds = diagnose(name, text);
      expect(ds.length).toBeGreaterThan(0);
      const rendered = ds.map((d) => `${d.code} | ${renderDiagnostic(d, text)}`).join('\n').replaceAll(dir + '/', '<dir>/');
      expect(rendered).toBe(golden[name]);
    });
  }
});
