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
};

const golden: Record<string, string> = {
  syntax: "syntax | <dir>/syntax.pmix:1:25: error: expected ')' but found 'of'\n  model M = mixture(k = 3 of Normal\n                          ^^\n  expected: ')' or ','",
  unknownDist: "unknown-name | <dir>/unknownDist.pmix:2:29: error: unknown distribution or model 'Normormal'\n  model M = mixture(k = 2) of Normormal\n                              ^^^^^^^^^\n  hint: did you mean 'Normal'?",
  typeMismatch: "type-mismatch | <dir>/typeMismatch.pmix:2:29: error: Normal models a real column, but 'species' is a categorical column (levels Adelie, Chinstrap, Gentoo)\n  model M = mixture(k = 2) of Normal\n                              ^^^^^^\n  hint: for a categorical column (levels Adelie, Chinstrap, Gentoo) use Categorical",
  badParam: "bad-value | <dir>/badParam.pmix:1:31: error: Normal: sd must be > 0\n  model M(x) = Normal(mean = 0, sd = -1)\n                                ^^^^^^^",
  missingFile: "missing-data-file | <dir>/missingFile.pmix:1:13: error: cannot read data file '<dir>/nope.csv' for data set 'd': no such file\n  data d from \"nope.csv\" { x: real }\n              ^^^^^^^^^^",
  wrongColumn: "unknown-column | <dir>/wrongColumn.pmix:1:23: error: column 'bill_lenght_mm' is not in the header of '<dir>/p.csv' (it has: species, island, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, sex)\n  data d from \"p.csv\" { bill_lenght_mm: real }\n                        ^^^^^^^^^^^^^^\n  hint: did you mean 'bill_length_mm'?",
  unknownMethod: "unknown-name | <dir>/unknownMethod.pmix:3:15: error: unknown fit method 'eem' (known: em, adam, lbfgs)\n  fit M on d by eem(max_iter = 10)\n                ^^^\n  hint: did you mean 'em'?",
  unknownArg: "unknown-argument | <dir>/unknownArg.pmix:3:18: error: em has no argument 'max_iters' (it takes max_iter, tol, restarts, init, reg_covar, seed, batch, step_size, smoothing, validation, patience, stream, chunk, init_rows)\n  fit M on d by em(max_iters = 10)\n                   ^^^^^^^^^\n  hint: did you mean 'max_iter'?",
  badWeights: "bad-value | <dir>/badWeights.pmix:1:22: error: mixture weights must sum to 1 (they sum to 1.1)\n  model M(x) = mixture(weights = [0.5, 0.6]) { Normal(mean = 0, sd = 1), Normal(mean = 1, sd = 1) }\n                       ^^^^^^^^^^^^^^^^^^^^",
  recursive: "recursive-model | <dir>/recursive.pmix:2:11: error: model 'A' refers to itself (A -> B -> A)\n  model B = A\n            ^",
  duplicate: "duplicate-name | <dir>/duplicate.pmix:2:7: error: 'A' is already defined as a model\n  model A(x) = Normal(mean = 1, sd = 1)\n        ^",
  uncovered: "uncovered-variables | <dir>/uncovered.pmix:2:51: error: the product leaves 'bill_depth_mm' unmodelled; add a part for them\n  model M(bill_length_mm, bill_depth_mm, species) = product { bill_length_mm: Normal, species: Categorical }\n                                                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
  unknownVarQuery: "unknown-name | <dir>/unknownVarQuery.pmix:2:15: error: 'y' is not a variable of this model (its variables: x)\n  query M: logp(y = 0)\n                ^",
  unknownParam: "unknown-argument | <dir>/unknownParam.pmix:1:31: error: Normal has no parameter 'sdd' (it has mean, sd, var, cov)\n  model M(x) = Normal(mean = 0, sdd = 1)\n                                ^^^\n  hint: did you mean 'sd'?",
  unknownModelFit: "unknown-name | <dir>/unknownModelFit.pmix:2:5: error: unknown model 'Mm'\n  fit Mm on d by em()\n      ^^",
  badK: "bad-value | <dir>/badK.pmix:2:19: error: k must be a positive integer, got 0\n  model M = mixture(k = 0) of Normal\n                    ^^^^^",
};

/** What `pmix check` followed by running the queries reports for a model text. */
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
